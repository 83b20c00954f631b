// Three tiny namespaces for NamespaceCycleTests.TheGraphSeesACycleWhereThereIsOne: A and B use each other (B only inside a
// method body, which a scan of signatures would miss), C uses A one way.
namespace ServiceHall.Architecture.Tests.Fixtures.A
{
    public sealed class Left
    {
        public B.Right? Other { get; set; }
    }
}

namespace ServiceHall.Architecture.Tests.Fixtures.B
{
    public sealed class Right
    {
        public static object Make() => new A.Left();
    }
}

namespace ServiceHall.Architecture.Tests.Fixtures.C
{
    public sealed class Below
    {
        public A.Left Left { get; } = new();
    }
}
