namespace ServiceHall.Core.Catalogue;

/// <summary>Why a catalogue request was refused; each maps to one gRPC status code.</summary>
public enum CatalogueErrorKind
{
    /// <summary>The request itself is malformed (INVALID_ARGUMENT).</summary>
    InvalidArgument,

    /// <summary>The thing asked for does not exist (NOT_FOUND).</summary>
    NotFound,

    /// <summary>The request is well formed but this node or the current state does not allow it (FAILED_PRECONDITION).</summary>
    FailedPrecondition,
}

/// <summary>A catalogue request refused with a reason meant for the caller; nothing was changed.</summary>
public sealed class CatalogueException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CatalogueException(CatalogueErrorKind kind, string message)
        : base(message)
    {
        Kind = kind;
    }

    /// <summary>Why the request was refused.</summary>
    public CatalogueErrorKind Kind { get; }
}
