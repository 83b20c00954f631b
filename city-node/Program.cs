// The city node program: a Kestrel gRPC server (and the web front desk) over the node's own SQLite store.
// Options: --id, --listen, --web-listen, --data (see core/Hosting/NodeOptions.cs).
using ServiceHall.Core.Hosting;
using ServiceHall.Core.Nodes;
using ServiceHall.Web;

return await NodeProgram.RunAsync(args, NodeLevel.City, FrontDesk.AddServices, FrontDesk.Map);
