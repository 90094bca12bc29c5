namespace CxoneSandbox;

/// <summary>
/// A running sandbox on real Kestrel. Tests start it in-process; the run script starts the same app as a process.
/// </summary>
public sealed class SandboxHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _disposed;

    private SandboxHost(WebApplication app, SandboxState state, string baseAddress, IReadOnlyList<string> addresses)
    {
        _app = app;
        State = state;
        BaseAddress = baseAddress;
        BaseUrl = new Uri(baseAddress);
        Addresses = addresses;
    }

    /// <summary>e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseUrl { get; }

    /// <summary>e.g. <c>http://127.0.0.1:41234</c> (no trailing slash).</summary>
    public string BaseAddress { get; }

    /// <summary>Every address Kestrel bound, normalized like <see cref="BaseAddress"/>.</summary>
    public IReadOnlyList<string> Addresses { get; }

    /// <summary>The audience the token endpoint expects (configured, or <c>"{BaseAddress}/"</c>).</summary>
    public string Audience => State.ExpectedAudience ?? BaseAddress + "/";

    public SandboxState State { get; }

    /// <summary>Starts an in-process sandbox; port 0 picks a free port.</summary>
    public static Task<SandboxHost> StartAsync(
        SandboxOptions? options = null,
        string url = "http://127.0.0.1:0",
        CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(url);
        (WebApplication app, SandboxState state) = SandboxApp.BuildInProcess(options ?? new SandboxOptions(), url);
        return StartCoreAsync(app, state, ct);
    }

    /// <summary>Process mode: <c>--urls</c>, <c>--Sandbox:*</c> and <c>Sandbox__*</c> env vars configure it.</summary>
    public static Task<SandboxHost> StartFromCommandLineAsync(string[] args, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        (WebApplication app, SandboxState state) = SandboxApp.BuildFromArgs(args);
        return StartCoreAsync(app, state, ct);
    }

    /// <summary>Completes when the host shuts down (Ctrl+C / SIGTERM in process mode, or <see cref="DisposeAsync"/>).</summary>
    public Task WaitForShutdownAsync(CancellationToken ct = default) => _app.WaitForShutdownAsync(ct);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task<SandboxHost> StartCoreAsync(WebApplication app, SandboxState state, CancellationToken ct)
    {
        try
        {
            await app.StartAsync(ct).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        // After start Kestrel reports the bound addresses, with port 0 replaced by the real port.
        string[] addresses = [.. app.Urls.Select(NormalizeAddress)];
        string baseAddress = addresses.FirstOrDefault(static a => a.Contains("://127.0.0.1:", StringComparison.Ordinal))
            ?? addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("The sandbox did not bind any address.");
        if (state.ConfiguredAudience is null)
        {
            state.SetExpectedAudience(baseAddress + "/");
        }

        return new SandboxHost(app, state, baseAddress, addresses);
    }

    // Wildcard bindings are not addresses a client can dial, so present them as localhost.
    private static string NormalizeAddress(string address)
    {
        string trimmed = address.TrimEnd('/');
        int hostStart = trimmed.IndexOf("://", StringComparison.Ordinal) + 3;
        int portSeparator = trimmed.LastIndexOf(':');
        if (hostStart < 3 || portSeparator <= hostStart)
        {
            return trimmed;
        }

        string host = trimmed[hostStart..portSeparator];
        return host is "+" or "*" or "0.0.0.0" or "[::]"
            ? string.Concat(trimmed.AsSpan(0, hostStart), "localhost", trimmed.AsSpan(portSeparator))
            : trimmed;
    }
}
