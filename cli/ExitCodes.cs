namespace ServiceHall.Cli;

/// <summary>Exit codes of the <c>servicehall</c> command.</summary>
internal static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Ok = 0;

    /// <summary>The node answered with an error, or the operation failed (message on stderr).</summary>
    public const int Failed = 1;

    /// <summary>Invalid command line (System.CommandLine's own parse errors also exit with 1; this one is ours).</summary>
    public const int Usage = 2;

    /// <summary>Nothing answered at the node URL.</summary>
    public const int Unreachable = 3;
}
