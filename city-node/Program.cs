// The city node program: a Kestrel gRPC server (and the web front desk) over the node's own store (SQLite, or SQL Server with --store sqlserver).
// Options: --id, --listen, --web-listen, --data (see core/Hosting/NodeOptions.cs).
using ServiceHall.Core.Hosting;
using ServiceHall.Core.Nodes;
using ServiceHall.Sync.SqlServer;
using ServiceHall.Web;

return await NodeProgram.RunAsync(args, NodeLevel.City, FrontDesk.AddServices, FrontDesk.Map, SqlServerStore.Provider);
