using Google.Protobuf;
using ServiceHall.Protos.V1;
using ServiceHall.Sync.Engine;

namespace ServiceHall.Sync.Tests;

/// <summary>The wire form of row values (<c>Change.row</c>): what we write is a protobuf <c>Row</c>, and back.</summary>
public sealed class RowCodecTests
{
    private static readonly object?[] Sample =
    [
        "t01-v01-20261128-0001", "city/t01/t01-v01", "大洛沟 营业执照 ✓", null, 0L, -1L, long.MinValue, long.MaxValue,
        3.25, double.NegativeInfinity, new byte[] { 0, 1, 255 }, new byte[0], string.Empty, new string('x', 300),
    ];

    [Fact]
    public void Encode_IsAProtobufRowMessage_AnyLibraryCanRead()
    {
        var bytes = RowCodec.Encode(Sample);

        var parsed = Row.Parser.ParseFrom(bytes);

        Assert.Equal(Sample.Length, parsed.Values.Count);
        Assert.Equal("大洛沟 营业执照 ✓", parsed.Values[2].Text);
        Assert.Equal(Value.KindOneofCase.None, parsed.Values[3].KindCase);
        Assert.Equal(Value.KindOneofCase.Int, parsed.Values[4].KindCase); // zero is still a set oneof field
        Assert.Equal(0L, parsed.Values[4].Int);
        Assert.Equal(long.MinValue, parsed.Values[6].Int);
        Assert.Equal(double.NegativeInfinity, parsed.Values[9].Real);
        Assert.Equal(new byte[] { 0, 1, 255 }, parsed.Values[10].Blob.ToByteArray());
        Assert.Equal(Value.KindOneofCase.Blob, parsed.Values[11].KindCase);
        Assert.Equal(Value.KindOneofCase.Text, parsed.Values[12].KindCase);
    }

    [Fact]
    public void Decode_ReadsWhatProtobufWrites()
    {
        var row = new Row
        {
            Values =
            {
                new Value { Text = "a" }, new Value(), new Value { Int = -42 }, new Value { Real = 0.5 },
                new Value { Blob = ByteString.CopyFrom(7, 8) }, new Value { Text = string.Empty },
            },
        };

        var values = RowCodec.Decode(row.ToByteArray());

        Assert.Equal(["a", DBNull.Value, -42L, 0.5, new byte[] { 7, 8 }, string.Empty], values);
        Assert.Equal(row.ToByteString(), RowCodec.Encode(values)); // and writes the same bytes
    }

    [Fact]
    public void RoundTrip_KeepsEveryStorageClass()
    {
        var values = RowCodec.Decode(RowCodec.Encode(Sample).Span);

        Assert.Equal(Sample.Select(v => v ?? DBNull.Value), values);
    }

    [Fact]
    public void Decode_IntoFields_DoesNotCopyText()
    {
        var bytes = RowCodec.Encode(["abc", 5L]).ToByteArray();
        var fields = new RowField[2];

        var n = RowCodec.Decode(bytes, fields);

        Assert.Equal(2, n);
        Assert.Equal(RowValueKind.Text, fields[0].Kind);
        Assert.Equal("abc"u8.ToArray(), fields[0].Bytes(bytes).ToArray());
        Assert.Equal(5L, fields[1].Int);
        Assert.Throws<FormatException>(() => RowCodec.Decode(bytes, new RowField[1]));
    }

    [Fact]
    public void Decode_EmptyRow_HasNoValues()
    {
        Assert.Equal(0, RowCodec.Count(ReadOnlySpan<byte>.Empty));
    }

    [Theory]
    [InlineData(new byte[] { 0x0A })]                         // length missing
    [InlineData(new byte[] { 0x0A, 0x05, 0x1A, 0x03, 0x61 })]  // text cut short
    [InlineData(new byte[] { 0x12, 0x00 })]                   // not field 1 of Row
    [InlineData(new byte[] { 0x0A, 0x02, 0x28, 0x01 })]        // an unknown field of Value
    [InlineData(new byte[] { 0x0A, 0x04, 0x1A, 0x02, 0xC3, 0x28 })] // invalid UTF-8 text
    [InlineData(new byte[] { 0x0A, 0x03, 0x08, 0x01, 0x08 })]  // Value longer than its field
    [InlineData(new byte[] { 0x0A, 0x0B, 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF })] // varint too long
    public void Decode_Malformed_FormatException(byte[] bytes)
    {
        Assert.Throws<FormatException>(() => RowCodec.Decode(bytes));
    }

    /// <summary>The two rows shown in docs/PROTOCOL.md's grpcurl walk-through.</summary>
    [Theory]
    [InlineData("CgQaAm4xChIaEGNpdHkvdDAxL3QwMS12MDEKBxoFaGVsbG8KAA==", "n1|city/t01/t01-v01|hello|NULL")]
    [InlineData("CgwaCnQwMS12MDE6bjkKEhoQY2l0eS90MDEvdDAxLXYwMQoHGgVmaWxlZAoCCAI=", "t01-v01:n9|city/t01/t01-v01|filed|1")]
    public void ProtocolDocExamples_DecodeAsDocumented(string base64, string expected)
    {
        var values = RowCodec.Decode(Convert.FromBase64String(base64));

        Assert.Equal(expected, string.Join('|', values.Select(v => v is DBNull ? "NULL" : Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture))));
    }

    [Fact]
    public void Encode_UnsupportedType_Refused()
    {
        Assert.Throws<ArgumentException>(() => RowCodec.Encode([new object()]));
    }
}
