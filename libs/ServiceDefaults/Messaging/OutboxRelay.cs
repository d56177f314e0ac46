using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microservices.ServiceDefaults.Messaging;

/// <summary>
/// Publishes outbox rows: claims a batch of due rows in a short transaction, publishes each through
/// <see cref="IEventPublisher"/>, marks it published only after a successful publish, and schedules a failed one for
/// a retry with bounded exponential backoff — forever, logged and counted, never parked. Several replicas share the
/// table safely (claims are leases taken with <c>FOR UPDATE SKIP LOCKED</c> on PostgreSQL).
/// </summary>
internal sealed class OutboxRelay(
    OutboxStore store,
    IEventPublisher publisher,
    OutboxSignal signal,
    MessagingMetrics metrics,
    IOptions<MessagingOptions> options,
    IHostApplicationLifetime lifetime,
    TimeProvider timeProvider,
    ILogger<OutboxRelay> logger) : BackgroundService
{
    // A failing attempt is logged as a warning; this many in a row make it an error someone should look at.
    private const int AttemptsBeforeError = 10;

    private static readonly TimeSpan _statsInterval = TimeSpan.FromSeconds(5);

    // When rows are due but all claimed elsewhere at this instant, do not spin.
    private static readonly TimeSpan _minimumWait = TimeSpan.FromMilliseconds(50);

    private DateTimeOffset _lastPurge = DateTimeOffset.MinValue;
    private DateTimeOffset _lastStats = DateTimeOffset.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The migration hosted service may be registered after this one; the host is started once all have run.
        if (!await WaitForStartAsync(stoppingToken))
        {
            return;
        }

        var settings = options.Value;
        logger.LogInformation("Outbox relay started ({Mode} mode, poll {PollInterval})", settings.ParsedMode, settings.PollInterval);
        var failedRounds = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                signal.Reset();
                var claimed = await RunBatchAsync(stoppingToken);
                failedRounds = 0;
                await HousekeepAsync(stoppingToken);
                if (claimed >= settings.BatchSize)
                {
                    continue;
                }

                await signal.WaitAsync(await NextWaitAsync(stoppingToken), timeProvider, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception)
            {
                // Typically the database is unreachable; the rows are safe where they are.
                failedRounds++;
                logger.LogError(exception, "Outbox relay round failed ({Rounds} in a row)", failedRounds);
                try
                {
                    await Task.Delay(Backoff(failedRounds), timeProvider, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        logger.LogInformation("Outbox relay stopped");
    }

    private async Task<bool> WaitForStartAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onStarted = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        using var onStopping = stoppingToken.Register(() => started.TrySetCanceled(stoppingToken));
        try
        {
            await started.Task;
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>One claim-and-publish round; returns how many rows it claimed.</summary>
    private async Task<int> RunBatchAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var claimToken = Guid.NewGuid().ToString("N");
        var claimedAt = timeProvider.GetUtcNow();
        var batch = await store.ClaimAsync(
            claimToken, UnixMicros.From(claimedAt), UnixMicros.From(claimedAt + settings.ClaimTimeout), settings.BatchSize, stoppingToken);
        if (batch.Count == 0)
        {
            return 0;
        }

        // Stop starting publishes well before the lease runs out, so another replica never takes over a row this
        // relay is still publishing (a publish may take up to DeliveryTimeout).
        var publishUntil = claimedAt + TimeSpan.FromTicks(Math.Max((settings.ClaimTimeout - settings.DeliveryTimeout).Ticks, settings.ClaimTimeout.Ticks / 2));
        var handled = 0;
        try
        {
            foreach (var message in batch)
            {
                if (stoppingToken.IsCancellationRequested || timeProvider.GetUtcNow() >= publishUntil)
                {
                    break;
                }

                await PublishOneAsync(message, claimToken, stoppingToken);
                handled++;
            }
        }
        finally
        {
            if (handled < batch.Count)
            {
                // Graceful stop or lease running out: the rest of the batch is claimable again at once, by anyone.
                try
                {
                    await store.ReleaseAsync(claimToken, UnixMicros.From(timeProvider.GetUtcNow()), CancellationToken.None);
                }
                catch (Exception exception)
                {
                    logger.LogWarning(exception, "Could not hand back {Count} claimed outbox rows; they return after the claim timeout", batch.Count - handled);
                }
            }
        }

        return batch.Count;
    }

    private async Task PublishOneAsync(OutboxMessage message, string claimToken, CancellationToken stoppingToken)
    {
        var settings = options.Value;
        ActivityContext.TryParse(message.Traceparent, message.Tracestate, out var parent);
        using var activity = MessagingMetrics.ActivitySource.StartActivity($"publish {message.Topic}", ActivityKind.Producer, parent);
        activity?.SetTag("messaging.system", settings.ParsedMode == EventsMode.Dapr ? "dapr" : "direct");
        activity?.SetTag("messaging.destination.name", message.Topic);
        activity?.SetTag("messaging.message.id", message.Id);
        activity?.SetTag("cloudevents.event_type", message.Type);
        var traceparent = activity?.Id ?? message.Traceparent;

        // The publish in flight when the host stops gets DeliveryTimeout to finish, so a row that was handed over
        // is marked rather than sent again; it is never marked without a successful publish.
        using var inFlight = new CancellationTokenSource();
        using var onStop = stoppingToken.Register(() => inFlight.CancelAfter(settings.DeliveryTimeout));
        Exception? failure = null;
        try
        {
            await publisher.PublishAsync(message, traceparent, inFlight.Token);
        }
        catch (Exception exception)
        {
            failure = exception;
        }

        var now = timeProvider.GetUtcNow();
        var topicTag = new KeyValuePair<string, object?>("topic", message.Topic);
        if (failure is null)
        {
            try
            {
                await store.MarkPublishedAsync(message.Id, UnixMicros.From(now), CancellationToken.None);
            }
            catch (Exception exception)
            {
                // Published but not marked: it is sent again after the claim is handed back; consumers dedupe by id.
                logger.LogWarning(exception, "Event {EventId} was published but could not be marked; it will be published again", message.Id);
                throw;
            }

            metrics.Published.Add(1, topicTag);
            metrics.DeliveryLag.Record((now - message.OccurredAt).TotalSeconds, topicTag);
            activity?.SetStatus(ActivityStatusCode.Ok);
            return;
        }

        var delay = Backoff(message.Attempts);
        metrics.Failed.Add(1, topicTag);
        activity?.SetStatus(ActivityStatusCode.Error, failure.GetBaseException().Message);
        logger.Log(
            message.Attempts >= AttemptsBeforeError ? LogLevel.Error : LogLevel.Warning,
            "Publishing event {EventId} ({EventType}) to {Topic} failed, attempt {Attempt}; retrying in {Delay}: {Error}",
            message.Id,
            message.Type,
            message.Topic,
            message.Attempts,
            delay,
            failure.GetBaseException().Message);
        await store.MarkFailedAsync(message.Id, claimToken, UnixMicros.From(now + delay), failure.GetBaseException().Message, CancellationToken.None);
    }

    private TimeSpan Backoff(int attempt)
    {
        var settings = options.Value;
        var millis = settings.RetryInitialDelay.TotalMilliseconds * Math.Pow(2, Math.Clamp(attempt - 1, 0, 30));
        return TimeSpan.FromMilliseconds(Math.Min(millis, settings.RetryMaxDelay.TotalMilliseconds));
    }

    private async Task<TimeSpan> NextWaitAsync(CancellationToken cancellationToken)
    {
        var poll = options.Value.PollInterval;
        var nextDue = await store.NextDueAsync(cancellationToken);
        if (nextDue is null)
        {
            return poll;
        }

        var untilDue = UnixMicros.ToTime(nextDue.Value) - timeProvider.GetUtcNow();
        return untilDue < _minimumWait ? _minimumWait : untilDue > poll ? poll : untilDue;
    }

    private async Task HousekeepAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = timeProvider.GetUtcNow();
        if (now - _lastStats >= _statsInterval)
        {
            _lastStats = now;
            var (depth, oldest) = await store.StatsAsync(cancellationToken);
            metrics.ReportBacklog(depth, oldest is null ? 0 : Math.Max(0, (now - UnixMicros.ToTime(oldest.Value)).TotalSeconds));
        }

        if (now - _lastPurge >= settings.PurgeInterval)
        {
            _lastPurge = now;
            var purged = await store.PurgeAsync(UnixMicros.From(now - settings.Retention), UnixMicros.From(now - settings.InboxRetention), cancellationToken);
            if (purged > 0)
            {
                logger.LogInformation("Purged {Count} published outbox rows older than {Retention}", purged, settings.Retention);
            }
        }
    }
}
