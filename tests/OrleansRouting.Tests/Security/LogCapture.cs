using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace OrleansRouting.Tests.Security;

/// <summary>
/// Every log line, scope and exception text written while it is recording, from the WebFront and from the
/// in-process test silos. The silos are built from a configurator type (no instance to hand over), so the sink is
/// process-wide; tests that use it do not run in parallel with each other (xunit.runner.json).
/// </summary>
public static class LogCapture
{
    private static readonly ConcurrentQueue<string> Lines = new();
    private static volatile bool _recording;

    public static IReadOnlyCollection<string> Captured => Lines;

    public static IDisposable Record()
    {
        Lines.Clear();
        _recording = true;
        return new Stop();
    }

    internal static void Add(string line)
    {
        if (_recording)
        {
            Lines.Enqueue(line);
        }
    }

    private sealed class Stop : IDisposable
    {
        public void Dispose() => _recording = false;
    }
}

public sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName);

    public void Dispose()
    {
    }

    private sealed class CapturingLogger(string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull
        {
            LogCapture.Add($"{category} scope: {state}");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            // The formatted message, every structured value (a template may not print them all) and the exception.
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            LogCapture.Add($"{category} [{logLevel}] {formatter(state, exception)} | {values} | {exception}");
        }
    }
}

/// <summary>Adds the capturing provider to each test silo, at Trace so that nothing is filtered before it is seen.</summary>
public sealed class LogCaptureSiloConfigurator : ISiloConfigurator
{
    public void Configure(ISiloBuilder siloBuilder) =>
        siloBuilder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(new CapturingLoggerProvider()));
}
