using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Microservices.Services.Tests.Infrastructure;

/// <summary>
/// Every log entry the hosts of a <see cref="RunningSystem"/> write, rendered whole: message, every structured value,
/// every scope and the exception, so a secret cannot hide in a part the console formatter would print but a test did
/// not look at. <see cref="RunningSystem.StartAsync"/> adds one <see cref="CapturingLoggerProvider"/> per host.
/// </summary>
public sealed class LogCapture(LogLevel minimumLevel = LogLevel.Debug)
{
    private readonly ConcurrentQueue<string> _lines = new();

    public LogLevel MinimumLevel { get; } = minimumLevel;

    public IReadOnlyCollection<string> Lines => [.. _lines];

    internal void Add(string line) => _lines.Enqueue(line);
}

/// <summary>A logger provider feeding a <see cref="LogCapture"/>; each line starts with the service and the level.</summary>
public sealed class CapturingLoggerProvider(LogCapture capture, string service) : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => provider._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel >= provider.MinimumLevel && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var line = new StringBuilder();
            line.Append(CultureInfo.InvariantCulture, $"[{provider.Service}] {logLevel} {category}[{eventId.Id}] {formatter(state, exception)}");
            AppendValues(line, "state", state);
            provider._scopes.ForEachScope((scope, text) => AppendValues(text, "scope", scope), line);
            if (exception is not null)
            {
                line.Append(" | exception ").Append(exception);
            }

            provider.Capture.Add(line.ToString());
        }

        private static void AppendValues(StringBuilder line, string kind, object? values)
        {
            if (values is IEnumerable<KeyValuePair<string, object?>> pairs)
            {
                foreach (var (key, value) in pairs)
                {
                    line.Append(CultureInfo.InvariantCulture, $" | {kind} {key}={Render(value)}");
                }
            }
            else if (values is not null)
            {
                line.Append(CultureInfo.InvariantCulture, $" | {kind} {values}");
            }
        }

        private static string? Render(object? value) => value switch
        {
            null => null,
            string text => text,
            System.Collections.IEnumerable items => string.Join(",", items.Cast<object?>()),
            _ => Convert.ToString(value, CultureInfo.InvariantCulture),
        };
    }

    private LogCapture Capture => capture;

    private string Service => service;

    private LogLevel MinimumLevel => capture.MinimumLevel;
}
