using ServiceHall.Protos.V1;

namespace ServiceHall.Cli.Output;

/// <summary>The clerk role names the CLI prints and accepts (<c>window</c>, <c>reviewer</c>, …).</summary>
internal static class Roles
{
    /// <summary>Role names as the CLI prints and accepts them.</summary>
    public static readonly string[] Names = ["window", "reviewer", "manager", "operator", "administrator"];

    /// <summary>The CLI name of a role.</summary>
    public static string Name(ClerkRole role) => role switch
    {
        ClerkRole.Window => "window",
        ClerkRole.Reviewer => "reviewer",
        ClerkRole.Manager => "manager",
        ClerkRole.Operator => "operator",
        ClerkRole.Administrator => "administrator",
        _ => "unspecified",
    };

    /// <summary>The role of a CLI name.</summary>
    public static ClerkRole Parse(string name) =>
        Enum.GetValues<ClerkRole>().FirstOrDefault(r => Name(r) == name);
}
