// The township node program: a Kestrel gRPC server over the node's own SQLite store.
// Options: --id, --listen, --upstream, --data (see core/Hosting/NodeOptions.cs).
using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Hosting;

return await NodeProgram.RunAsync(args, NodeLevel.Township);
