// The village node program: a Kestrel gRPC server (and the web front desk) over the node's own SQLite store (this program has no SQL Server provider).
// Options: --id, --listen, --web-listen, --upstream, --data (see core/Hosting/NodeOptions.cs).
using ServiceHall.Core.Hosting;
using ServiceHall.Core.Nodes;
using ServiceHall.Web;

return await NodeProgram.RunAsync(args, NodeLevel.Village, FrontDesk.AddServices, FrontDesk.Map);
