using Microservices.ServiceDefaults.Messaging;

namespace Microservices.Messaging.Tests.Infrastructure;

/// <summary>
/// A relay that dies between publish and mark: the real publish happens, then the relay never returns (until the test
/// releases it or the host stops), so the row stays claimed and unmarked.
/// </summary>
public sealed class HangAfterPublish
{
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Published { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IEventPublisher Wrap(IEventPublisher inner) => new Publisher(inner, this);

    public void Release() => _release.TrySetResult();

    private sealed class Publisher(IEventPublisher inner, HangAfterPublish owner) : IEventPublisher
    {
        public async Task PublishAsync(OutboxMessage message, string? traceparent, CancellationToken cancellationToken)
        {
            await inner.PublishAsync(message, traceparent, cancellationToken);
            owner.Published.TrySetResult();
            await owner._release.Task.WaitAsync(cancellationToken);
            throw new EventPublishException("the relay died before marking");
        }
    }
}

/// <summary>Holds the first publish until the test opens the gate (to stop a host with a batch in flight).</summary>
public sealed class GateFirstPublish
{
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _calls;

    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IEventPublisher Wrap(IEventPublisher inner) => new Publisher(inner, this);

    public void Open() => _open.TrySetResult();

    private sealed class Publisher(IEventPublisher inner, GateFirstPublish owner) : IEventPublisher
    {
        public async Task PublishAsync(OutboxMessage message, string? traceparent, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref owner._calls) == 1)
            {
                owner.Entered.TrySetResult();
                await owner._open.Task;
            }

            await inner.PublishAsync(message, traceparent, cancellationToken);
        }
    }
}
