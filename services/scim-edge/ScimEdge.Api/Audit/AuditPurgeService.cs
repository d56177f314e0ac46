using System.Data.Common;
using Microsoft.Extensions.Options;

namespace Microservices.ScimEdge.Api.Audit;

/// <summary>
/// Deletes records older than <see cref="AuditOptions.RetentionDays"/> every <see cref="AuditOptions.PurgeInterval"/>,
/// in batches so no statement holds a long lock. Every replica may run it: deleting rows another replica already
/// deleted matches nothing.
/// </summary>
internal sealed class AuditPurgeService(AuditStore store, IOptions<AuditOptions> options, TimeProvider clock, ILogger<AuditPurgeService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var retention = TimeSpan.FromDays(Math.Max(1, settings.RetentionDays));
        var interval = settings.PurgeInterval > TimeSpan.Zero ? settings.PurgeInterval : TimeSpan.FromHours(1);
        var batchSize = Math.Max(1, settings.PurgeBatchSize);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await PurgeOnceAsync(clock.GetUtcNow() - retention, batchSize, stoppingToken);
                await Task.Delay(interval, clock, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping; a purge cut short resumes on the next start.
        }
    }

    private async Task PurgeOnceAsync(DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken)
    {
        var total = 0;
        try
        {
            int deleted;
            do
            {
                deleted = await store.PurgeAsync(cutoff, batchSize, cancellationToken);
                total += deleted;
            }
            while (deleted == batchSize);
        }
        catch (DbException e)
        {
            logger.LogWarning(e, "Audit purge failed after {Count} rows; it runs again next interval", total);
            return;
        }

        if (total > 0)
        {
            logger.LogInformation("Purged {Count} audit records older than {Cutoff}", total, cutoff);
        }
    }
}
