namespace CxoneSandbox;

/// <summary>The emulated CXone endpoints that count requests and accept injected faults.</summary>
public enum SandboxEndpoint
{
    Token = 0,
    Queues = 1,
    Interactions = 2,
}
