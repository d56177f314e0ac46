using System.Collections.Concurrent;
using System.Diagnostics;

namespace Microservices.Services.Tests.Observability;

/// <summary>
/// Records every activity the process finishes. All four hosts run in the test process, so one recorder sees the
/// spans of the edge and the domain services; other test classes run alongside, so tests pick theirs by trace id.
/// </summary>
public sealed class ActivityRecorder : IDisposable
{
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener;

    public ActivityRecorder()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>The finished spans of one trace.</summary>
    public IReadOnlyList<Activity> Trace(ActivityTraceId traceId) => [.. _stopped.Where(a => a.TraceId == traceId)];

    /// <summary>Every finished span, of any trace.</summary>
    public IReadOnlyList<Activity> All => [.. _stopped];

    public static string? Tag(Activity activity, string name) => activity.GetTagItem(name)?.ToString();

    /// <summary>Polls <paramref name="find"/> until it yields something; bounded, never a timing assertion.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<T?> find, string what)
        where T : class
    {
        for (var attempt = 0; attempt < 300; attempt++)
        {
            if (find() is { } found)
            {
                return found;
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException($"never observed: {what}");
    }

    public void Dispose() => _listener.Dispose();
}
