using ServiceHall.Core.Cases;
using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Nodes;

namespace ServiceHall.Testing.Scale;

/// <summary>
/// One node of the scale network as the workload sees it: take a case, act on it, wait until an event has reached it.
/// In process (<see cref="InProcessNode"/>, the domain's <see cref="CaseRepository"/> on a real Kestrel host) or a separate
/// node program (<see cref="ProcessNode"/>, through its Cases gRPC service).
/// </summary>
internal abstract class ScaleNode(RegisteredNode registration, string dataDir)
{
    /// <summary>The node's entry in the seed registry.</summary>
    public RegisteredNode Registration { get; } = registration;

    /// <summary>Node id.</summary>
    public string Id => Registration.Id;

    /// <summary>Level.</summary>
    public NodeLevel Level => Registration.Level;

    /// <summary>Scope path.</summary>
    public string Scope => Registration.Scope;

    /// <summary>Directory of the node's store and logs.</summary>
    public string DataDir { get; } = dataDir;

    /// <summary>The SQLite file of the node's store (read by the convergence check).</summary>
    public string StorePath => Path.Combine(DataDir, Id + ".db");

    /// <summary>The node's parent in the network, null at the city.</summary>
    public ScaleNode? Parent { get; set; }

    /// <summary>The URL its children use.</summary>
    public abstract string Url { get; }

    /// <summary>True for a separate node program.</summary>
    public abstract bool IsProcess { get; }

    /// <summary>Files a case; returns its number and the id of its submitted event.</summary>
    public abstract Task<(string Number, string EventId)> SubmitAsync(string item, string applicant, string idNumber);

    /// <summary>Takes one action on a case; returns the new event's id.</summary>
    public abstract Task<string> ActAsync(string number, CaseEventKind kind, CaseActor actor, CaseEventData data);

    /// <summary>Completes when this node holds event <paramref name="eventId"/> of case <paramref name="number"/>.</summary>
    public abstract Task WaitForAsync(string number, string eventId, CancellationToken cancellationToken);

    /// <summary>Stops the node.</summary>
    public abstract Task StopAsync();
}
