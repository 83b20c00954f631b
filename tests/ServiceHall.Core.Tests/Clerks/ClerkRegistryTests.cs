using ServiceHall.Core.Clerks;
using ServiceHall.Core.Nodes;
using ServiceHall.Core.Tests.Catalogue;

namespace ServiceHall.Core.Tests.Clerks;

/// <summary>The clerk registry over a real seeded city store: registration rules, hashed secrets, sign-in, the first administrator.</summary>
public sealed class ClerkRegistryTests
{
    private const string Secret = "correct horse battery staple";

    private static (TestStore Store, ClerkRegistry Registry) City()
    {
        var store = new TestStore();
        store.Seed();
        return (store, new ClerkRegistry(store.Sync, store.Node));
    }

    [Fact]
    public void Add_ThenSignIn_RightSecretOnly_SecretStoredOnlyAsSaltedHash()
    {
        var (store, registry) = City();
        using var _ = store;
        var clerk = registry.Add("window@t01-v01", "t01-v01", "VC", ClerkRole.Window, "王窗口", Secret);
        Assert.Equal(("city/t01/t01-v01", ClerkRole.Window), (clerk.Scope, clerk.Role));

        Assert.Equal(clerk, registry.SignIn("window@t01-v01", Secret).Clerk);
        Assert.Equal(clerk, registry.SignIn("window@t01-v01", Secret).Clerk); // the remembered sign-in
        Assert.Equal(SignInFailure.WrongSecret, registry.SignIn("window@t01-v01", Secret + "x").Failure);
        Assert.Equal(SignInFailure.UnknownClerk, registry.SignIn("nobody@t01", Secret).Failure);
        Assert.Equal(registry.SignIn("nobody@t01", Secret).Message, registry.SignIn("window@t01-v01", "wrong-wrong-wrong").Message);

        Assert.Equal(0, store.Scalar($"SELECT COUNT(*) FROM clerks WHERE secret_hash LIKE '%{Secret}%' OR secret_salt LIKE '%{Secret}%'"));
        Assert.Equal(1, store.Scalar("SELECT COUNT(*) FROM _sync_log WHERE tbl = 'clerks' AND scope = 'city/t01/t01-v01'"));
    }

    [Fact]
    public void Disable_RefusedAtNextSignIn_EvenAfterARememberedOne_ResetSecretLikewise()
    {
        var (store, registry) = City();
        using var _ = store;
        registry.Add("qs@city", "city", "QS", ClerkRole.Reviewer, "qs", Secret);
        Assert.Null(registry.SignIn("qs@city", Secret).Failure);
        registry.SetDisabled("qs@city", true);
        Assert.Equal(SignInFailure.Disabled, registry.SignIn("qs@city", Secret).Failure);
        registry.SetDisabled("qs@city", false);
        registry.ResetSecret("qs@city", "another secret of length");
        Assert.Equal(SignInFailure.WrongSecret, registry.SignIn("qs@city", Secret).Failure);
        Assert.Null(registry.SignIn("qs@city", "another secret of length").Failure);
    }

    [Fact]
    public void Find_TheRowWithAStampOfTheSecret_ThatSignInGivesAndAResetChanges()
    {
        var (store, registry) = City();
        using var _ = store;
        var clerk = registry.Add("qs@city", "city", "QS", ClerkRole.Reviewer, "qs", Secret);
        var (found, stamp) = registry.Find("qs@city") ?? throw new InvalidOperationException("not found");
        Assert.Equal(clerk, found);
        Assert.Equal(stamp, registry.SignIn("qs@city", Secret).SecretStamp);
        Assert.Equal(0, store.Scalar($"SELECT COUNT(*) FROM clerks WHERE secret_hash = '{stamp}' OR secret_salt = '{stamp}'"));
        Assert.Null(registry.SignIn("qs@city", Secret + "x").SecretStamp);
        Assert.Null(registry.Find("nobody@city"));
        Assert.Null(registry.Find("Not An Id"));

        registry.SetDisabled("qs@city", true);
        Assert.Equal((clerk with { Disabled = true }, stamp), registry.Find("qs@city"));
        registry.ResetSecret("qs@city", "another secret of length");
        Assert.NotEqual(stamp, registry.Find("qs@city")!.Value.SecretStamp);
    }

    [Theory]
    [InlineData("Bad Id", "t01", "VC", ClerkRole.Window, Secret, ClerkErrorKind.InvalidArgument)]
    [InlineData("a:b", "t01", "VC", ClerkRole.Window, Secret, ClerkErrorKind.InvalidArgument)]
    [InlineData("x@t01", "t99", "VC", ClerkRole.Window, Secret, ClerkErrorKind.NotFound)]
    [InlineData("x@t01", "t01", "NOPE", ClerkRole.Window, Secret, ClerkErrorKind.NotFound)]
    [InlineData("x@t01", "t01", "VC", ClerkRole.Window, "short", ClerkErrorKind.InvalidArgument)]
    [InlineData("x@t01", "t01", "ADM", ClerkRole.Administrator, Secret, ClerkErrorKind.InvalidArgument)]
    public void Add_Refused_NothingWritten(string id, string node, string department, ClerkRole role, string secret, ClerkErrorKind kind)
    {
        var (store, registry) = City();
        using var _ = store;
        var e = Assert.Throws<ClerkException>(() => registry.Add(id, node, department, role, id, secret));
        Assert.Equal(kind, e.Kind);
        Assert.Equal(0, store.Scalar("SELECT COUNT(*) FROM clerks"));
    }

    [Fact]
    public void Add_TakenId_AlreadyExists_AndNotAtATownship()
    {
        var (store, registry) = City();
        using var _ = store;
        registry.Add("x@t01", "t01", "ADM", ClerkRole.Operator, "x", Secret);
        Assert.Equal(ClerkErrorKind.AlreadyExists, Assert.Throws<ClerkException>(() => registry.Add("x@t01", "t01", "ADM", ClerkRole.Window, "x", Secret)).Kind);

        using var township = new TestStore("t01", NodeLevel.Township);
        var atTownship = new ClerkRegistry(township.Sync, township.Node);
        Assert.Equal(ClerkErrorKind.FailedPrecondition, Assert.Throws<ClerkException>(() => atTownship.Add("y@t01", "t01", "ADM", ClerkRole.Window, "y", Secret)).Kind);
    }

    [Fact]
    public void Bootstrap_EmptyCity_AdministratorWithCredentialFileOnlyOnce()
    {
        var (store, registry) = City();
        using var _ = store;
        var dir = Directory.CreateTempSubdirectory("servicehall-clerks-").FullName;
        try
        {
            var path = ClerkBootstrap.EnsureAdministrator(registry, store.Node, dir);
            Assert.NotNull(path);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            }

            using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
            var admin = json.RootElement.GetProperty("clerks")[0];
            var signedIn = registry.SignIn(admin.GetProperty("id").GetString()!, admin.GetProperty("secret").GetString()!);
            Assert.Equal(ClerkRole.Administrator, signedIn.Clerk?.Role);
            Assert.Null(signedIn.Failure);
            Assert.Null(ClerkBootstrap.EnsureAdministrator(registry, store.Node, dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
