namespace CxoneSandbox;

// Not top-level statements: the tests reference both this and the WebFront, whose Program must stay unambiguous.
internal static class SandboxProgram
{
    public static async Task Main(string[] args)
    {
        // Same app as the in-process SandboxHost; only where options and URLs come from differs.
        await using var host = await SandboxHost.StartFromCommandLineAsync(args);
        Console.WriteLine($"CXone sandbox listening on {host.BaseAddress}");
        await host.WaitForShutdownAsync();
    }
}
