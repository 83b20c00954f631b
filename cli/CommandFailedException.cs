namespace ServiceHall.Cli;

/// <summary>A command cannot go on for a reason found on the client side (the message says why and what to do); exit 1.</summary>
internal sealed class CommandFailedException : Exception
{
    /// <summary>Creates the exception with the message the operator reads.</summary>
    public CommandFailedException(string message)
        : base(message)
    {
    }
}
