using System.Text;
using ServiceHall.Core.Calendar;
using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Nodes;

namespace ServiceHall.Core.Tests.Catalogue;

/// <summary>The seed reader is strict: a slip in a seed file fails at load, never as a silent default.</summary>
public sealed class SeedFileReaderTests
{
    private static List<T> Parse<T>(string json) => CatalogueSeedData.Parse<T>(new MemoryStream(Encoding.UTF8.GetBytes(json)), "test.json");

    [Fact]
    public void Parse_WellFormedRows_ReadsEnumsByName()
    {
        var nodes = Parse<RegisteredNode>("""[{"id":"t01","level":"Township","parentId":"city","name":"城关镇","scope":"city/t01"}]""");

        Assert.Equal(new RegisteredNode("t01", NodeLevel.Township, "city", "城关镇", "city/t01"), Assert.Single(nodes));
    }

    [Theory]
    [InlineData("""[{"id":"t01","level":1,"parentId":"city","name":"x","scope":"city/t01"}]""")] // an enum as a number
    [InlineData("""[{"id":"t01","level":"Hamlet","parentId":"city","name":"x","scope":"city/t01"}]""")] // an unknown enum name
    [InlineData("""[{"id":"t01","level":"Township","parentId":"city","name":"x","scope":"city/t01","colour":"red"}]""")] // a misspelt field
    [InlineData("""[{"id":"t01","level":"Township","parentId":"city","scope":"city/t01"}]""")] // a required field missing
    [InlineData("""[{"id":"t01","level":"Township","parentId":"city","name":null,"scope":"city/t01"}]""")] // null where text is required
    [InlineData("""[{"id":"t01",""")] // cut off
    public void Parse_Slip_RefusedNamingTheFile(string json)
    {
        var ex = Assert.Throws<InvalidDataException>(() => Parse<RegisteredNode>(json));

        Assert.Contains("test.json", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_CalendarDay_ReadsIsoDates()
    {
        var day = Assert.Single(Parse<CalendarDay>("""[{"date":"2026-10-01","working":false,"name":"国庆节"}]"""));

        Assert.Equal(new CalendarDay(new DateOnly(2026, 10, 1), false, "国庆节"), day);
    }
}
