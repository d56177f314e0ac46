using System.Data.Common;
using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace Microservices.ScimEdge.Api.Audit;

/// <summary>
/// The queue between requests and the store. <see cref="Record"/> never blocks and never throws: when the bounded
/// queue is full (the store is down or far behind) the record is dropped, counted in <c>scim.audit.dropped</c> and
/// logged. Serving the IdP matters more than auditing it: blocking here would turn a slow audit store into failed
/// provisioning calls, which count towards Entra's quarantine threshold.
/// </summary>
public sealed class AuditLog
{
    private static readonly TimeSpan _warningInterval = TimeSpan.FromSeconds(10);

    private readonly Channel<AuditRecord> _channel;
    private readonly EdgeMetrics _metrics;
    private readonly ILogger<AuditLog> _logger;
    private readonly TimeProvider _clock;
    private long _droppedSinceWarning;
    private long _lastWarning = long.MinValue;

    public AuditLog(IOptions<AuditOptions> options, EdgeMetrics metrics, ILogger<AuditLog> logger, TimeProvider clock)
    {
        _channel = Channel.CreateBounded<AuditRecord>(new BoundedChannelOptions(Math.Max(1, options.Value.QueueCapacity))
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
        _metrics = metrics;
        _logger = logger;
        _clock = clock;
    }

    internal ChannelReader<AuditRecord> Reader => _channel.Reader;

    public void Record(AuditRecord record)
    {
        // With FullMode.Wait, TryWrite fails instead of evicting an older record: what was queued stays queued.
        if (!_channel.Writer.TryWrite(record))
        {
            Dropped(1, "the audit queue is full");
        }
    }

    internal void Dropped(long count, string reason)
    {
        _metrics.AuditDropped(count);
        Interlocked.Add(ref _droppedSinceWarning, count);
        var now = _clock.GetTimestamp();
        var last = Interlocked.Read(ref _lastWarning);
        // One warning per interval, not one per record: a full queue under load would otherwise flood the log.
        if ((last == long.MinValue || _clock.GetElapsedTime(last, now) >= _warningInterval) && Interlocked.CompareExchange(ref _lastWarning, now, last) == last)
        {
            var dropped = Interlocked.Exchange(ref _droppedSinceWarning, 0);
            _logger.LogWarning("Dropped {Count} audit records: {Reason}", dropped, reason);
        }
    }
}

/// <summary>
/// Writes queued records in batches, one multi-row insert per transaction. Nothing queued is lost on a clean stop:
/// <see cref="StopAsync"/> drains the queue after the loop ends, and <see cref="DisposeAsync"/> drains again for
/// records of requests that finished after that. The container disposes this service before the
/// <c>Database</c> it depends on, so the final drain still has its store.
/// </summary>
internal sealed class AuditWriter(AuditLog log, AuditStore store, IOptions<AuditOptions> options, TimeProvider clock, ILogger<AuditWriter> logger)
    : BackgroundService, IAsyncDisposable
{
    private const int Attempts = 3;

    private readonly int _batchSize = Math.Max(1, options.Value.BatchSize);
    private readonly TimeSpan _flushDelay = options.Value.FlushDelay;
    private readonly SemaphoreSlim _drainGate = new(1, 1);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await DrainAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await DrainAsync();
        _drainGate.Dispose();
        Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await log.Reader.WaitToReadAsync(stoppingToken))
            {
                if (_flushDelay > TimeSpan.Zero && log.Reader.Count < _batchSize)
                {
                    await Task.Delay(_flushDelay, clock, stoppingToken);
                }

                await WriteAvailableAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: StopAsync drains what is left.
        }
    }

    private async Task DrainAsync()
    {
        await _drainGate.WaitAsync();
        try
        {
            while (log.Reader.Count > 0)
            {
                await WriteBatchAsync(CancellationToken.None);
            }
        }
        finally
        {
            _drainGate.Release();
        }
    }

    private async Task WriteAvailableAsync(CancellationToken cancellationToken)
    {
        await _drainGate.WaitAsync(cancellationToken);
        try
        {
            while (log.Reader.Count > 0)
            {
                await WriteBatchAsync(cancellationToken);
            }
        }
        finally
        {
            _drainGate.Release();
        }
    }

    private async Task WriteBatchAsync(CancellationToken cancellationToken)
    {
        var batch = new List<AuditRecord>(_batchSize);
        while (batch.Count < _batchSize && log.Reader.TryRead(out var record))
        {
            batch.Add(record);
        }

        if (batch.Count == 0)
        {
            return;
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // The batch is taken off the queue already: a cancelled stop still finishes writing it.
                await store.InsertAsync(batch, CancellationToken.None);
                return;
            }
            catch (DbException e) when (attempt < Attempts)
            {
                logger.LogWarning(e, "Writing {Count} audit records failed (attempt {Attempt}); retrying", batch.Count, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), clock, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
            catch (DbException e)
            {
                logger.LogError(e, "Writing {Count} audit records failed {Attempts} times; they are dropped", batch.Count, attempt);
                log.Dropped(batch.Count, "the audit store kept failing");
                return;
            }
        }
    }
}
