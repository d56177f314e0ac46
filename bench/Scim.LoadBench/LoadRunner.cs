using System.Diagnostics;
using System.Net;
using HdrHistogram;

namespace Microservices.Scim.LoadBench;

/// <summary>One kind of request: how to build the i-th request of a worker and which status counts as success.</summary>
public sealed record Scenario(string Name, string Description, HttpStatusCode Expected, Func<int, long, HttpRequestMessage> Build);

/// <summary>What one run of one scenario measured; latencies in microseconds.</summary>
public sealed record RunFigures(long Requests, long Errors, double Seconds, double RequestsPerSecond, long P50, long P95, long P99, long Max)
{
    public static RunFigures From(HistogramBase histogram, long errors, double seconds) => new(
        histogram.TotalCount,
        errors,
        seconds,
        seconds > 0 ? histogram.TotalCount / seconds : 0,
        histogram.TotalCount > 0 ? histogram.GetValueAtPercentile(50) : 0,
        histogram.TotalCount > 0 ? histogram.GetValueAtPercentile(95) : 0,
        histogram.TotalCount > 0 ? histogram.GetValueAtPercentile(99) : 0,
        histogram.TotalCount > 0 ? histogram.GetMaxValue() : 0);
}

/// <summary>
/// Closed-loop load: a fixed number of workers, each sending its next request as soon as the previous answer is read,
/// for a fixed time. Requests started during the warm-up are sent but not recorded (JIT, connection set-up, caches).
/// </summary>
public sealed class LoadRunner(HttpClient http, TextWriter log)
{
    // 60 s is the IdPs' own deadline; anything slower is clamped into the top bucket rather than thrown away.
    private const long HighestMicros = 60_000_000;

    private int _reported;

    public async Task<RunFigures> RunAsync(Scenario scenario, int concurrency, TimeSpan warmup, TimeSpan duration, long maxPerWorker, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var recordFrom = warmup.Ticks * Stopwatch.Frequency / TimeSpan.TicksPerSecond;
        var stopAt = recordFrom + (duration.Ticks * Stopwatch.Frequency / TimeSpan.TicksPerSecond);
        var workers = new Task<(LongHistogram Histogram, long Errors)>[concurrency];
        for (var w = 0; w < concurrency; w++)
        {
            var worker = w;
            workers[w] = Task.Run(() => WorkAsync(scenario, worker, clock, recordFrom, stopAt, maxPerWorker, cancellationToken), cancellationToken);
        }

        var results = await Task.WhenAll(workers);
        var measured = (clock.ElapsedTicks - recordFrom) / (double)Stopwatch.Frequency;
        var total = new LongHistogram(HighestMicros, 3);
        long errors = 0;
        foreach (var (histogram, workerErrors) in results)
        {
            total.Add(histogram);
            errors += workerErrors;
        }

        return RunFigures.From(total, errors, measured);
    }

    private async Task<(LongHistogram, long)> WorkAsync(Scenario scenario, int worker, Stopwatch clock, long recordFrom, long stopAt, long maxPerWorker, CancellationToken cancellationToken)
    {
        var histogram = new LongHistogram(HighestMicros, 3);
        long errors = 0;
        for (long i = 0; i < maxPerWorker; i++)
        {
            var started = clock.ElapsedTicks;
            if (started >= stopAt)
            {
                break;
            }

            var ok = await SendAsync(scenario, worker, i, cancellationToken);
            if (started < recordFrom)
            {
                continue;
            }

            var micros = (clock.ElapsedTicks - started) * 1_000_000 / Stopwatch.Frequency;
            histogram.RecordValue(Math.Min(micros, HighestMicros));
            if (!ok)
            {
                errors++;
            }
        }

        return (histogram, errors);
    }

    private async Task<bool> SendAsync(Scenario scenario, int worker, long iteration, CancellationToken cancellationToken)
    {
        try
        {
            using var request = scenario.Build(worker, iteration);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
            if (response.StatusCode == scenario.Expected)
            {
                return true;
            }

            // A few examples of what went wrong are worth more than a count alone; the rest would flood the output.
            if (Interlocked.Increment(ref _reported) <= 5)
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                log.WriteLine($"  {scenario.Name}: HTTP {(int)response.StatusCode} {body[..Math.Min(body.Length, 300)]}");
            }

            return false;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            if (Interlocked.Increment(ref _reported) <= 5)
            {
                log.WriteLine($"  {scenario.Name}: {exception.GetType().Name} {exception.Message}");
            }

            return false;
        }
    }
}
