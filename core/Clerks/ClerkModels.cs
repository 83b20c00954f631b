using ServiceHall.Core.Cases;

namespace ServiceHall.Core.Clerks;

/// <summary>What a clerk may do; see <see cref="ClerkPermissions"/> for the rules.</summary>
public enum ClerkRole
{
    /// <summary>Window clerk (窗口): files and handles cases at the clerk's node.</summary>
    Window = 1,

    /// <summary>Department reviewer: handles cases and records its own department's opinions.</summary>
    Reviewer = 2,

    /// <summary>Manager: handles cases, records its department's opinions, reads the node's statistics.</summary>
    Manager = 3,

    /// <summary>Operator: node status, sync on demand and statistics; no case actions.</summary>
    Operator = 4,

    /// <summary>City administrator: clerks, node registry and catalogue, plus what an operator does; only at the city.</summary>
    Administrator = 5,
}

/// <summary>A clerk as the registry holds it (without the secret).</summary>
/// <param name="Id">Login id, e.g. <c>window@t01-v01</c>.</param>
/// <param name="NodeId">The node the clerk works at.</param>
/// <param name="Scope">That node's scope path, e.g. <c>city/t01/t01-v01</c>.</param>
/// <param name="Department">Department code recorded on the clerk's case events.</param>
/// <param name="Role">Role.</param>
/// <param name="Name">Display name.</param>
/// <param name="Disabled">True if the clerk may no longer sign in.</param>
public sealed record Clerk(string Id, string NodeId, string Scope, string Department, ClerkRole Role, string Name, bool Disabled)
{
    /// <summary>The actor recorded on the clerk's case events.</summary>
    public CaseActor Actor => new(Id, Department);
}

/// <summary>Why a credential was refused (all map to UNAUTHENTICATED; the message says which).</summary>
public enum SignInFailure
{
    /// <summary>No clerk with that id is held by this node (unknown, or registered outside its subtree).</summary>
    UnknownClerk = 1,

    /// <summary>The secret does not match.</summary>
    WrongSecret = 2,

    /// <summary>The clerk is disabled.</summary>
    Disabled = 3,
}

/// <summary>Outcome of a sign-in: the clerk, or why not.</summary>
/// <param name="Clerk">The authenticated clerk; null on failure.</param>
/// <param name="Failure">Why it failed; null on success.</param>
public sealed record SignInResult(Clerk? Clerk, SignInFailure? Failure)
{
    /// <summary>On success, the stamp of the clerk's stored secret (see <see cref="ClerkRegistry.Find"/>); else null.</summary>
    public string? SecretStamp { get; init; }

    /// <summary>A message for the caller that does not reveal whether the id exists.</summary>
    public string Message => Failure switch
    {
        null => string.Empty,
        SignInFailure.Disabled => $"clerk {Clerk?.Id} is disabled",
        _ => "unknown clerk or wrong secret",
    };
}
