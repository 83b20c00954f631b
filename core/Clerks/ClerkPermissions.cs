using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Hosting;
using ServiceHall.Core.Nodes;
using ServiceHall.Sync;
using ServiceHall.Sync.Engine;

namespace ServiceHall.Core.Clerks;

/// <summary>
/// Every authorization rule of the client API in one place, transport-free: each method returns null when the clerk may
/// do it at the node, else the reason (a PERMISSION_DENIED message). Front ends (gRPC, web) ask here and
/// map a refusal to their own error; the case rules (<see cref="Cases.CaseRules"/>) then decide level, department and state.
/// A clerk acts only at its own node (an event records that node as where it happened), and reads only cases inside its
/// own node's subtree, wherever it signs in.
/// </summary>
public static class ClerkPermissions
{
    /// <summary>May <paramref name="clerk"/> file or act on cases at <paramref name="node"/>?</summary>
    public static string? HandleCases(Clerk clerk, NodeIdentity node)
    {
        ArgumentNullException.ThrowIfNull(clerk);
        ArgumentNullException.ThrowIfNull(node);
        if (clerk.Role is not (ClerkRole.Window or ClerkRole.Reviewer or ClerkRole.Manager))
        {
            return $"Clerk {clerk.Id} is a {ClerkRegistry.RoleText(clerk.Role)}; only window clerks, reviewers and managers act on cases.";
        }

        return AtOwnNode(clerk, node, "act on cases");
    }

    /// <summary>May <paramref name="clerk"/> record <paramref name="department"/>'s opinion at <paramref name="node"/>?</summary>
    public static string? RecordOpinion(Clerk clerk, NodeIdentity node, string? department)
    {
        if (HandleCases(clerk, node) is { } denied)
        {
            return denied;
        }

        if (clerk.Role is not (ClerkRole.Reviewer or ClerkRole.Manager))
        {
            return $"Clerk {clerk.Id} is a {ClerkRegistry.RoleText(clerk.Role)}; a department's opinion is recorded by its reviewer or manager.";
        }

        return string.Equals(clerk.Department, department, StringComparison.Ordinal)
            ? null
            : $"Clerk {clerk.Id} is of department {clerk.Department}; it cannot record the opinion of department {department}.";
    }

    /// <summary>May <paramref name="clerk"/> read a case whose rows lie in <paramref name="caseScope"/>?</summary>
    public static string? ReadCase(Clerk clerk, string caseScope, string number)
    {
        ArgumentNullException.ThrowIfNull(clerk);
        return Scope.Contains(clerk.Scope, caseScope)
            ? null
            : $"Case {number} lies outside the subtree of clerk {clerk.Id} ({clerk.Scope}).";
    }

    /// <summary>May <paramref name="clerk"/> read the statistics of <paramref name="node"/>?</summary>
    public static string? ReadStatistics(Clerk clerk, NodeIdentity node)
    {
        ArgumentNullException.ThrowIfNull(clerk);
        return clerk.Role is ClerkRole.Manager or ClerkRole.Operator or ClerkRole.Administrator
            ? AtOwnNode(clerk, node, "read its statistics")
            : $"Clerk {clerk.Id} is a {ClerkRegistry.RoleText(clerk.Role)}; statistics are for managers, operators and administrators.";
    }

    /// <summary>May <paramref name="clerk"/> operate <paramref name="node"/> (status, sync on demand, list clerks)?</summary>
    public static string? Operate(Clerk clerk, NodeIdentity node)
    {
        ArgumentNullException.ThrowIfNull(clerk);
        return clerk.Role is ClerkRole.Operator or ClerkRole.Administrator
            ? AtOwnNode(clerk, node, "operate it")
            : $"Clerk {clerk.Id} is a {ClerkRegistry.RoleText(clerk.Role)}; node operation is for operators and administrators.";
    }

    /// <summary>May <paramref name="clerk"/> change clerks, the node registry or the catalogue (a city administrator at the city)?</summary>
    public static string? Administer(Clerk clerk, NodeIdentity node)
    {
        ArgumentNullException.ThrowIfNull(clerk);
        ArgumentNullException.ThrowIfNull(node);
        if (clerk.Role != ClerkRole.Administrator)
        {
            return $"Clerk {clerk.Id} is a {ClerkRegistry.RoleText(clerk.Role)}; only city administrators change clerks, nodes and the catalogue.";
        }

        return node.Level == NodeLevel.City ? AtOwnNode(clerk, node, "administer") : $"Clerks, nodes and the catalogue are changed at the city, not at {node.NodeId}.";
    }

    private static string? AtOwnNode(Clerk clerk, NodeIdentity node, string what) =>
        string.Equals(clerk.NodeId, node.NodeId, StringComparison.Ordinal)
            ? null
            : $"Clerk {clerk.Id} works at {clerk.NodeId}; it cannot {what} at {node.NodeId}.";
}
