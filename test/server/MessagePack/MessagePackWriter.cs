using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Hubwire.TestServer.MessagePack;

/// <summary>
/// Writes MessagePack values to an <see cref="IBufferWriter{T}"/>, always choosing the smallest
/// encoding (fixint/fixstr/fixarray/fixmap where possible).
/// </summary>
/// <remarks>Format reference: https://github.com/msgpack/msgpack/blob/master/spec.md (big-endian).</remarks>
public sealed class MessagePackWriter
{
    private readonly IBufferWriter<byte> _output;

    public MessagePackWriter(IBufferWriter<byte> output)
    {
        _output = output;
    }

    public void WriteNil() => WriteByte(0xc0);

    public void WriteBoolean(bool value) => WriteByte(value ? (byte)0xc3 : (byte)0xc2);

    public void WriteInt64(long value)
    {
        if (value >= 0)
        {
            WriteUInt64((ulong)value);
        }
        else if (value >= -32)
        {
            WriteByte((byte)(sbyte)value); // negative fixint 0xe0..0xff
        }
        else if (value >= sbyte.MinValue)
        {
            var span = Reserve(2);
            span[0] = 0xd0;
            span[1] = (byte)(sbyte)value;
            _output.Advance(2);
        }
        else if (value >= short.MinValue)
        {
            var span = Reserve(3);
            span[0] = 0xd1;
            BinaryPrimitives.WriteInt16BigEndian(span[1..], (short)value);
            _output.Advance(3);
        }
        else if (value >= int.MinValue)
        {
            var span = Reserve(5);
            span[0] = 0xd2;
            BinaryPrimitives.WriteInt32BigEndian(span[1..], (int)value);
            _output.Advance(5);
        }
        else
        {
            var span = Reserve(9);
            span[0] = 0xd3;
            BinaryPrimitives.WriteInt64BigEndian(span[1..], value);
            _output.Advance(9);
        }
    }

    public void WriteUInt64(ulong value)
    {
        if (value <= 0x7f)
        {
            WriteByte((byte)value); // positive fixint
        }
        else if (value <= byte.MaxValue)
        {
            var span = Reserve(2);
            span[0] = 0xcc;
            span[1] = (byte)value;
            _output.Advance(2);
        }
        else if (value <= ushort.MaxValue)
        {
            var span = Reserve(3);
            span[0] = 0xcd;
            BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)value);
            _output.Advance(3);
        }
        else if (value <= uint.MaxValue)
        {
            var span = Reserve(5);
            span[0] = 0xce;
            BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)value);
            _output.Advance(5);
        }
        else
        {
            var span = Reserve(9);
            span[0] = 0xcf;
            BinaryPrimitives.WriteUInt64BigEndian(span[1..], value);
            _output.Advance(9);
        }
    }

    public void WriteSingle(float value)
    {
        var span = Reserve(5);
        span[0] = 0xca;
        BinaryPrimitives.WriteSingleBigEndian(span[1..], value);
        _output.Advance(5);
    }

    public void WriteDouble(double value)
    {
        var span = Reserve(9);
        span[0] = 0xcb;
        BinaryPrimitives.WriteDoubleBigEndian(span[1..], value);
        _output.Advance(9);
    }

    public void WriteString(string value)
    {
        var byteCount = Encoding.UTF8.GetByteCount(value);
        WriteStringHeader(byteCount);
        var span = Reserve(byteCount);
        Encoding.UTF8.GetBytes(value, span);
        _output.Advance(byteCount);
    }

    /// <summary>Writes a str value whose UTF-8 bytes are already known.</summary>
    public void WriteStringUtf8(ReadOnlySpan<byte> utf8)
    {
        WriteStringHeader(utf8.Length);
        WriteRaw(utf8);
    }

    public void WriteNullableString(string? value)
    {
        if (value is null)
        {
            WriteNil();
        }
        else
        {
            WriteString(value);
        }
    }

    public void WriteBinary(ReadOnlySpan<byte> value)
    {
        var length = value.Length;
        if (length <= byte.MaxValue)
        {
            var span = Reserve(2);
            span[0] = 0xc4;
            span[1] = (byte)length;
            _output.Advance(2);
        }
        else if (length <= ushort.MaxValue)
        {
            var span = Reserve(3);
            span[0] = 0xc5;
            BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)length);
            _output.Advance(3);
        }
        else
        {
            var span = Reserve(5);
            span[0] = 0xc6;
            BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)length);
            _output.Advance(5);
        }

        WriteRaw(value);
    }

    public void WriteArrayHeader(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count <= 15)
        {
            WriteByte((byte)(0x90 | count));
        }
        else if (count <= ushort.MaxValue)
        {
            var span = Reserve(3);
            span[0] = 0xdc;
            BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)count);
            _output.Advance(3);
        }
        else
        {
            var span = Reserve(5);
            span[0] = 0xdd;
            BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)count);
            _output.Advance(5);
        }
    }

    public void WriteMapHeader(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count <= 15)
        {
            WriteByte((byte)(0x80 | count));
        }
        else if (count <= ushort.MaxValue)
        {
            var span = Reserve(3);
            span[0] = 0xde;
            BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)count);
            _output.Advance(3);
        }
        else
        {
            var span = Reserve(5);
            span[0] = 0xdf;
            BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)count);
            _output.Advance(5);
        }
    }

    /// <summary>Writes an extension value (fixext when the payload length is 1, 2, 4, 8 or 16).</summary>
    public void WriteExtension(sbyte type, ReadOnlySpan<byte> payload)
    {
        var length = payload.Length;
        byte fixCode = length switch
        {
            1 => 0xd4,
            2 => 0xd5,
            4 => 0xd6,
            8 => 0xd7,
            16 => 0xd8,
            _ => 0,
        };

        if (fixCode != 0)
        {
            var span = Reserve(2);
            span[0] = fixCode;
            span[1] = (byte)type;
            _output.Advance(2);
        }
        else if (length <= byte.MaxValue)
        {
            var span = Reserve(3);
            span[0] = 0xc7;
            span[1] = (byte)length;
            span[2] = (byte)type;
            _output.Advance(3);
        }
        else if (length <= ushort.MaxValue)
        {
            var span = Reserve(4);
            span[0] = 0xc8;
            BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)length);
            span[3] = (byte)type;
            _output.Advance(4);
        }
        else
        {
            var span = Reserve(6);
            span[0] = 0xc9;
            BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)length);
            span[5] = (byte)type;
            _output.Advance(6);
        }

        WriteRaw(payload);
    }

    /// <summary>
    /// Writes a MessagePack timestamp (extension type -1). Local times are converted to UTC;
    /// Unspecified ones are taken as UTC. timestamp32 for whole seconds in [0, 2^32),
    /// timestamp64 for seconds in [0, 2^34), timestamp96 otherwise (e.g. before 1970).
    /// </summary>
    public void WriteTimestamp(DateTime value)
    {
        if (value.Kind == DateTimeKind.Local)
        {
            value = value.ToUniversalTime();
        }

        var ticks = value.Ticks - DateTime.UnixEpoch.Ticks;
        var seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out var remainderTicks);
        if (remainderTicks < 0)
        {
            // Floor division: the nanosecond part of a timestamp is never negative.
            seconds--;
            remainderTicks += TimeSpan.TicksPerSecond;
        }

        var nanoseconds = (uint)(remainderTicks * 100);
        Span<byte> payload = stackalloc byte[12];
        if (seconds >= 0 && (seconds >> 34) == 0)
        {
            if (nanoseconds == 0 && seconds <= uint.MaxValue)
            {
                BinaryPrimitives.WriteUInt32BigEndian(payload, (uint)seconds);
                WriteExtension(MessagePackReader.TimestampExtensionType, payload[..4]);
            }
            else
            {
                BinaryPrimitives.WriteUInt64BigEndian(payload, ((ulong)nanoseconds << 34) | (ulong)seconds);
                WriteExtension(MessagePackReader.TimestampExtensionType, payload[..8]);
            }
        }
        else
        {
            BinaryPrimitives.WriteUInt32BigEndian(payload, nanoseconds);
            BinaryPrimitives.WriteInt64BigEndian(payload[4..], seconds);
            WriteExtension(MessagePackReader.TimestampExtensionType, payload);
        }
    }

    /// <summary>Copies bytes that are already MessagePack (or a payload) as they are.</summary>
    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return;
        }

        bytes.CopyTo(Reserve(bytes.Length));
        _output.Advance(bytes.Length);
    }

    private void WriteStringHeader(int byteCount)
    {
        if (byteCount <= 31)
        {
            WriteByte((byte)(0xa0 | byteCount));
        }
        else if (byteCount <= byte.MaxValue)
        {
            var span = Reserve(2);
            span[0] = 0xd9;
            span[1] = (byte)byteCount;
            _output.Advance(2);
        }
        else if (byteCount <= ushort.MaxValue)
        {
            var span = Reserve(3);
            span[0] = 0xda;
            BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)byteCount);
            _output.Advance(3);
        }
        else
        {
            var span = Reserve(5);
            span[0] = 0xdb;
            BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)byteCount);
            _output.Advance(5);
        }
    }

    private void WriteByte(byte value)
    {
        Reserve(1)[0] = value;
        _output.Advance(1);
    }

    private Span<byte> Reserve(int size) => _output.GetSpan(size)[..size];
}
