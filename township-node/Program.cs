// The township node program: a Kestrel gRPC server (and the web front desk) over the node's own store (SQLite, or SQL Server with --store sqlserver).
// Options: --id, --listen, --web-listen, --upstream, --data (see core/Hosting/NodeOptions.cs).
using ServiceHall.Core.Hosting;
using ServiceHall.Core.Nodes;
using ServiceHall.Sync.SqlServer;
using ServiceHall.Web;

return await NodeProgram.RunAsync(args, NodeLevel.Township, FrontDesk.AddServices, FrontDesk.Map, SqlServerStore.Provider);
