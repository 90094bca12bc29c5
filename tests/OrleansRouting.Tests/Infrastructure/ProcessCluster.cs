using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace OrleansRouting.Tests.Infrastructure;

/// <summary>
/// The product as it runs in production, on loopback: the CXone sandbox, N silo processes and the WebFront, each a
/// real <c>dotnet &lt;dll&gt;</c> OS process built by the solution, configured only by environment variables, clustered
/// through Azure Table membership on the given Azurite. Output goes to one log file per process under
/// <c>.run/multiprocess/&lt;name&gt;/</c>. Disposing kills whatever is still running.
/// </summary>
public sealed class ProcessCluster : IAsyncDisposable
{
    public const string ApiKey = "multiprocess-api-key-0123456789";
    private const string SandboxClientId = "multiprocess-client";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(45);
    private static readonly string[] ProductPrefixes = ["Cluster__", "Storage__", "Cxone__", "Routing__", "Webhook__", "AzureStorage__", "Logging__", "Operators__", "Security__"];

    private readonly ITestOutputHelper _output;
    private readonly string _sandboxSecret = $"sandbox-{Guid.NewGuid():N}";
    private readonly List<ManagedProcess> _processes = [];
    private readonly HttpClient _probe = new() { Timeout = TimeSpan.FromSeconds(5) };
    private int _siloCount;

    private ProcessCluster(string name, string azuriteConnectionString, ITestOutputHelper output)
    {
        _output = output;
        Name = name;
        AzuriteConnectionString = azuriteConnectionString;
        var unique = Guid.NewGuid().ToString("N")[..12];
        ClusterId = $"mp-{name}-{unique}";
        ServiceId = $"mp-{name}-{unique}";
        TableName = $"Mp{unique}";
        LogDirectory = ClaimLogDirectory(Path.Combine(RepositoryRoot, ".run", "multiprocess", name));
    }

    public static string RepositoryRoot { get; } = AzuriteFixture.RepositoryRoot();

    public string Name { get; }
    public string AzuriteConnectionString { get; }
    public string ClusterId { get; }
    public string ServiceId { get; }

    /// <summary>Azure Table of session state, unique to this cluster (and reused by silos started later).</summary>
    public string TableName { get; }
    public string LogDirectory { get; }
    public Uri SandboxAddress { get; private set; } = null!;
    public Uri WebFrontAddress { get; private set; } = null!;
    public ManagedProcess Sandbox { get; private set; } = null!;
    public ManagedProcess WebFront { get; private set; } = null!;
    public List<ManagedProcess> Silos { get; } = [];

    /// <summary>Silo settings on top of the defaults, for every silo started after they are set.</summary>
    public Dictionary<string, string> SiloEnvironment { get; } = [];

    /// <summary>Starts the sandbox, <paramref name="silos"/> silos (in parallel) and the WebFront; ready when the WebFront sees them all.</summary>
    public static async Task<ProcessCluster> StartAsync(string name, string azuriteConnectionString, ITestOutputHelper output, int silos = 2, Action<ProcessCluster>? configure = null)
    {
        var cluster = new ProcessCluster(name, azuriteConnectionString, output);
        try
        {
            configure?.Invoke(cluster);
            await cluster.StartAllAsync(silos);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>A client of the WebFront that sends the API key; answers as Cognigy would see them (no retries of its own).</summary>
    public HttpClient CreateWebhookClient(TimeSpan timeout)
    {
        var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
        {
            BaseAddress = WebFrontAddress,
            Timeout = timeout,
        };
        client.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
        return client;
    }

    public async Task<SandboxStats> SandboxStatsAsync()
    {
        var stats = await _probe.GetFromJsonAsync<SandboxStats>(new Uri(SandboxAddress, "/_sandbox/stats"), SandboxStats.Json);
        return stats ?? throw new InvalidOperationException("The sandbox answered no stats.");
    }

    /// <summary>Injects a fault into the sandbox (<c>POST /_sandbox/faults</c>, see CxoneSandbox's AdminHandlers).</summary>
    public async Task SandboxFaultAsync(object fault)
    {
        using var response = await _probe.PostAsJsonAsync(new Uri(SandboxAddress, "/_sandbox/faults"), fault);
        Assert.True(response.IsSuccessStatusCode, $"The sandbox refused the fault: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Starts one more silo process (fresh ports, the cluster's ids and table) and waits for its /health/live.</summary>
    public async Task<ManagedProcess> StartSiloAsync()
    {
        var index = Interlocked.Increment(ref _siloCount);
        var (siloPort, gatewayPort, healthPort) = (AzuriteFixture.FreePort(), AzuriteFixture.FreePort(), AzuriteFixture.FreePort());
        var environment = new Dictionary<string, string>(ClusterEnvironment())
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{healthPort}",
            ["Urls"] = $"http://127.0.0.1:{healthPort}",
            ["Storage__Provider"] = "AzureTable",
            ["Storage__TableName"] = TableName,
            ["Cluster__SiloPort"] = Invariant(siloPort),
            ["Cluster__GatewayPort"] = Invariant(gatewayPort),
            ["Cluster__AdvertisedIP"] = "127.0.0.1",
            ["Cxone__BaseUrl"] = SandboxAddress.ToString().TrimEnd('/'),
            ["Cxone__ClientId"] = SandboxClientId,
            ["Cxone__ClientSecret"] = _sandboxSecret,
            ["Routing__RecoveryReminderPeriod"] = "00:00:05",
            ["Logging__LogLevel__OrleansRouting"] = "Information",
        };
        foreach (var (key, value) in SiloEnvironment)
        {
            environment[key] = value;
        }

        var silo = Launch($"silo{index}", Binary("Silo", "OrleansRouting.Silo.dll"), [], environment);
        silo.Describe = $"silo ports {siloPort}/{gatewayPort}, health {healthPort}";
        lock (Silos)
        {
            Silos.Add(silo);
        }

        await WaitForHttpAsync(silo, new Uri($"http://127.0.0.1:{healthPort}/health/live"), _ => true);
        return silo;
    }

    /// <summary>Waits until the WebFront is ready and counts exactly <paramref name="silos"/> active silos.</summary>
    public Task WaitForActiveSilosAsync(int silos, TimeSpan? timeout = null) =>
        WaitForHttpAsync(WebFront, new Uri(WebFrontAddress, "/health/ready"), body => body.Contains($"\"{silos} active silo(s)\"", StringComparison.Ordinal), timeout);

    /// <summary>kill -9: no shutdown, no goodbye to the cluster.</summary>
    public static DateTimeOffset Kill(ManagedProcess process)
    {
        process.KilledByTest = true;
        process.Process.Kill();
        return DateTimeOffset.UtcNow;
    }

    /// <summary>SIGTERM, as systemd or Kubernetes stop a process, and waits for it to exit.</summary>
    public static async Task<TimeSpan> StopGracefullyAsync(ManagedProcess process, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        process.KilledByTest = true;
        using (var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", Invariant(process.Process.Id)]) { UseShellExecute = false })!)
        {
            await kill.WaitForExitAsync();
        }

        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await process.Process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{process.Name} did not exit within {timeout.TotalSeconds} s of SIGTERM; see {process.LogPath}");
        }

        return clock.Elapsed;
    }

    public async ValueTask DisposeAsync()
    {
        // WebFront first, so nothing new reaches the silos; all of them killed, dead or alive.
        ManagedProcess[] all;
        lock (_processes)
        {
            all = [.. _processes];
        }

        foreach (var process in all.Reverse())
        {
            await process.DisposeAsync();
        }

        _output.WriteLine($"[{Name}] process logs in {LogDirectory}:");
        foreach (var process in all)
        {
            _output.WriteLine($"  {process.Name,-9} pid {process.Pid,-7} {process.Outcome,-32} {process.LogPath} {process.Describe}");
            if (!process.KilledByTest && process.ExitedUnexpectedly)
            {
                foreach (var line in process.Tail(15))
                {
                    _output.WriteLine($"      | {line}");
                }
            }
        }

        _probe.Dispose();
    }

    private async Task StartAllAsync(int silos)
    {
        var binaries = new[]
        {
            Binary("tests/CxoneSandbox", "CxoneSandbox.dll"),
            Binary("Silo", "OrleansRouting.Silo.dll"),
            Binary("WebFront", "OrleansRouting.WebFront.dll"),
        };
        var missing = binaries.Where(b => !File.Exists(b)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"Built binaries are missing: {string.Join(", ", missing)}. Run ./test.sh (it builds the whole solution) or `dotnet build OrleansRouting.sln` first: `dotnet test` alone does not build the Silo.");
        }

        var clock = Stopwatch.StartNew();
        var sandboxPort = AzuriteFixture.FreePort();
        SandboxAddress = new Uri($"http://127.0.0.1:{sandboxPort}/");
        Sandbox = Launch(
            "sandbox",
            binaries[0],
            ["--urls", $"http://127.0.0.1:{sandboxPort}", $"--Sandbox:ClientId={SandboxClientId}", $"--Sandbox:ClientSecret={_sandboxSecret}"],
            new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Development", ["DOTNET_ENVIRONMENT"] = "Development", ["Logging__LogLevel__Default"] = "Warning" });
        await WaitForHttpAsync(Sandbox, new Uri(SandboxAddress, "/_sandbox/stats"), _ => true);

        await WhenAllOrFirstFailureAsync(Enumerable.Range(0, silos).Select(_ => StartSiloAsync()));

        var webPort = AzuriteFixture.FreePort();
        WebFrontAddress = new Uri($"http://127.0.0.1:{webPort}/");
        var environment = new Dictionary<string, string>(ClusterEnvironment())
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{webPort}",
            ["Urls"] = $"http://127.0.0.1:{webPort}",
            ["Webhook__ApiKeys__0"] = ApiKey,
        };
        WebFront = Launch("webfront", binaries[2], [], environment);
        await WaitForActiveSilosAsync(silos);
        _output.WriteLine($"[{Name}] sandbox, {silos} silos and WebFront ready in {clock.Elapsed.TotalSeconds:0.0} s (cluster {ClusterId}, table {TableName}, logs {LogDirectory})");
    }

    /// <summary>Like <see cref="Task.WhenAll(IEnumerable{Task})"/>, but throws as soon as one task fails.</summary>
    public static async Task WhenAllOrFirstFailureAsync(IEnumerable<Task> tasks)
    {
        var pending = tasks.ToList();
        while (pending.Count > 0)
        {
            var done = await Task.WhenAny(pending);
            await done;
            pending.Remove(done);
        }
    }

    /// <summary>
    /// The test's log directory, emptied; if another live test run (say ./test.sh next to a filtered run) holds it,
    /// a sibling named after this process instead, so two runs never delete or mix each other's logs.
    /// </summary>
    private static string ClaimLogDirectory(string directory)
    {
        var owner = Path.Combine(directory, ".owner-pid");
        if (File.Exists(owner) && int.TryParse(File.ReadAllText(owner), CultureInfo.InvariantCulture, out var pid) && pid != Environment.ProcessId && IsAlive(pid))
        {
            directory = $"{directory}-{Environment.ProcessId}";
            owner = Path.Combine(directory, ".owner-pid");
        }

        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        Directory.CreateDirectory(directory);
        File.WriteAllText(owner, Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        return directory;
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private Dictionary<string, string> ClusterEnvironment() => new()
    {
        ["DOTNET_ENVIRONMENT"] = "Development",
        ["ASPNETCORE_ENVIRONMENT"] = "Development",
        ["Cluster__Membership"] = "AzureStorage",
        ["Cluster__ClusterId"] = ClusterId,
        ["Cluster__ServiceId"] = ServiceId,
        ["AzureStorage__ConnectionString"] = AzuriteConnectionString,
        ["Logging__LogLevel__Default"] = "Warning",
        ["Logging__Console__FormatterName"] = "simple",
        ["Logging__Console__FormatterOptions__SingleLine"] = "true",
    };

    private static string Binary(string project, string dll) =>
        Path.Combine(RepositoryRoot, project, "bin", "Debug", "net10.0", dll);

    private ManagedProcess Launch(string name, string dll, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Only what we set configures the product: nothing inherited from the test host's environment. The working
        // directory is the binaries' (as a deployment's), so each process reads its appsettings.json; there its "Urls"
        // outranks ASPNETCORE_URLS, hence the unprefixed Urls variable next to it.
        foreach (var inherited in start.Environment.Keys.Where(k => k.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)
            || k.Equals("Urls", StringComparison.OrdinalIgnoreCase)
            || ProductPrefixes.Any(p => k.StartsWith(p, StringComparison.OrdinalIgnoreCase))).ToList())
        {
            start.Environment.Remove(inherited);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = ManagedProcess.Start(name, start, Path.Combine(LogDirectory, $"{name}.log"));
        lock (_processes)
        {
            _processes.Add(process);
        }

        return process;
    }

    private async Task WaitForHttpAsync(ManagedProcess process, Uri address, Func<string, bool> ready, TimeSpan? timeout = null)
    {
        var deadline = DateTimeOffset.UtcNow + (timeout ?? StartTimeout);
        var last = "no answer";
        while (DateTimeOffset.UtcNow < deadline)
        {
            if (process.Process.HasExited)
            {
                throw new InvalidOperationException(
                    $"{process.Name} exited with code {process.Process.ExitCode} before {address} answered; log {process.LogPath}:\n{string.Join('\n', process.Tail(20))}");
            }

            try
            {
                using var response = await _probe.GetAsync(address);
                var body = await response.Content.ReadAsStringAsync();
                if (response.StatusCode == HttpStatusCode.OK && ready(body))
                {
                    return;
                }

                last = $"{(int)response.StatusCode} {body}";
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                last = ex.Message;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"{process.Name} not ready at {address} within {(timeout ?? StartTimeout).TotalSeconds} s (last: {last}); log {process.LogPath}:\n{string.Join('\n', process.Tail(20))}");
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>One OS process of the cluster, its output copied line by line (with the time) to its log file.</summary>
public sealed class ManagedProcess : IAsyncDisposable
{
    private static readonly List<Process> Running = [];
    private readonly StreamWriter _log;
    private readonly Lock _gate = new();
    private bool _closed;

    static ManagedProcess()
    {
        // Last resort against orphans if the test host exits without disposing (a crash, an aborted run).
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            lock (Running)
            {
                foreach (var process in Running)
                {
                    try
                    {
                        process.Kill();
                    }
                    catch (InvalidOperationException)
                    {
                        // Already gone.
                    }
                }
            }
        };
    }

    private ManagedProcess(string name, Process process, string logPath)
    {
        Name = name;
        Process = process;
        LogPath = logPath;
        Pid = process.Id;
        _log = new StreamWriter(new FileStream(logPath, FileMode.Create, FileAccess.Write, FileShare.ReadWrite), Encoding.UTF8) { AutoFlush = true };
    }

    public string Name { get; }
    public Process Process { get; }
    public int Pid { get; }
    public string LogPath { get; }
    public string Describe { get; set; } = "";

    /// <summary>Set by the test before it kills or stops the process; an exit without it is unexpected.</summary>
    public bool KilledByTest { get; set; }

    public bool ExitedUnexpectedly { get; private set; }

    public string Outcome { get; private set; } = "running";

    public static ManagedProcess Start(string name, ProcessStartInfo start, string logPath)
    {
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start {name} ({start.FileName} {string.Join(' ', start.ArgumentList)}).");
        }

        var managed = new ManagedProcess(name, process, logPath);
        lock (Running)
        {
            Running.Add(process);
        }

        managed.Write($"started pid {process.Id}: dotnet {string.Join(' ', start.ArgumentList)}");
        process.OutputDataReceived += (_, e) => managed.Write(e.Data);
        process.ErrorDataReceived += (_, e) => managed.Write(e.Data is null ? null : "stderr: " + e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return managed;
    }

    /// <summary>The last lines of the log file (for failure messages).</summary>
    public IReadOnlyList<string> Tail(int lines)
    {
        lock (_gate)
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var all = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return all[Math.Max(0, all.Length - lines)..];
        }
    }

    public async ValueTask DisposeAsync()
    {
        var wasRunning = !Process.HasExited;
        if (wasRunning)
        {
            Process.Kill();
        }

        using (var cancellation = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            try
            {
                await Process.WaitForExitAsync(cancellation.Token);
            }
            catch (OperationCanceledException)
            {
                // Reported below; nothing else can be done about a process that survives SIGKILL.
            }
        }

        var exitCode = Process.HasExited ? Process.ExitCode : (int?)null;
        ExitedUnexpectedly = !wasRunning && !KilledByTest;
        Outcome = wasRunning ? "killed at dispose"
            : KilledByTest ? $"stopped by test (exit {exitCode})"
            : $"EXITED UNEXPECTEDLY (exit {exitCode})";
        Write($"{Outcome}");
        lock (Running)
        {
            Running.Remove(Process);
        }

        lock (_gate)
        {
            _closed = true;
            _log.Dispose();
        }

        Process.Dispose();
    }

    private void Write(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            if (!_closed)
            {
                _log.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {line}");
            }
        }
    }
}

/// <summary>The sandbox's <c>GET /_sandbox/stats</c>: what CXone received and created.</summary>
public sealed record SandboxStats(
    SandboxRequestCounts Requests,
    int TokensIssued,
    int InteractionsCreated,
    int QueueLookups,
    int DroppedResponses,
    int IdempotentReplays,
    Dictionary<string, int> InteractionsPerSession,
    List<SandboxInteraction>? Interactions)
{
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web);
}

public sealed record SandboxRequestCounts(int Token, int Queues, int Interactions);

public sealed record SandboxInteraction(string Id, string SessionId, string QueueId, int Priority, DateTimeOffset CreatedAt);
