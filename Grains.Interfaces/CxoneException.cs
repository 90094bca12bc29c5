namespace OrleansRouting;

public enum CxoneFailureKind
{
    Rejected = 0,
    Unavailable = 1,
    Timeout = 2,
}

/// <summary>
/// A failed CXone call, classified so the caller can answer honestly. Crosses grain boundaries
/// (token grain to session grain), hence serializable. Never carries a secret: messages are built by us
/// and CXone's body is trimmed before it gets here.
/// </summary>
[GenerateSerializer, Alias("OrleansRouting.CxoneException")]
public sealed class CxoneException : Exception
{
    public CxoneException()
    {
    }

    public CxoneException(string message)
        : base(message)
    {
    }

    public CxoneException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public CxoneException(CxoneFailureKind kind, string message, int? status = null, TimeSpan? retryAfter = null)
        : base(message)
    {
        Kind = kind;
        Status = status;
        RetryAfter = retryAfter;
    }

    [Id(0)] public CxoneFailureKind Kind { get; init; }
    [Id(1)] public int? Status { get; init; }
    [Id(2)] public TimeSpan? RetryAfter { get; init; }
}
