using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.ExceptionServices;
using System.Text;
using Hubwire.TestServer.MessagePack;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Hubwire.TestServer
{
    public static class MessagePackProtocolServiceCollectionExtensions
    {
        /// <summary>
        /// Registers <see cref="TestMessagePackHubProtocol"/> ("messagepack", version 2) next to the
        /// JSON protocol that AddSignalR registers. Clients pick one in the handshake.
        /// </summary>
        public static IServiceCollection AddTestMessagePackProtocol(this IServiceCollection services)
        {
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IHubProtocol, TestMessagePackHubProtocol>());
            return services;
        }
    }
}

namespace Hubwire.TestServer.MessagePack
{
    /// <summary>
    /// The SignalR MessagePack hub protocol ("messagepack", binary, version 2), written for the test
    /// server because the Microsoft.AspNetCore.SignalR.Protocols.MessagePack package cannot be
    /// restored offline. Only the shared framework is used.
    /// </summary>
    /// <remarks>
    /// <para>Framing: every message is prefixed by its length as a VarInt (7 bits per byte, least
    /// significant group first, high bit = more bytes follow, at most 5 bytes, below 2 GB).</para>
    /// <para>Messages are MessagePack arrays whose first element is the message type:</para>
    /// <code>
    /// [1, headers, invocationId|nil, target, [args], [streamIds]?]   Invocation
    /// [2, headers, invocationId, item]                               StreamItem
    /// [3, headers, invocationId, 1, error]                           Completion with error
    /// [3, headers, invocationId, 2]                                  Completion, void
    /// [3, headers, invocationId, 3, result]                          Completion with result
    /// [4, headers, invocationId, target, [args], [streamIds]?]       StreamInvocation
    /// [5, headers, invocationId]                                     CancelInvocation
    /// [6]                                                            Ping
    /// [7, error|nil, allowReconnect?]                                Close
    /// [8, sequenceId]                                                Ack
    /// [9, sequenceId]                                                Sequence
    /// </code>
    /// <para>Headers are a map of string to string. Extra trailing elements are ignored and
    /// messages of unknown type are skipped, so newer peers can extend the protocol. Values are
    /// converted by <see cref="MessagePackValueReader"/> and <see cref="MessagePackValueWriter"/>.</para>
    /// <para>Malformed input throws <see cref="InvalidDataException"/>; the framework then closes the
    /// connection. Arguments / stream items that do not fit the hub method's types produce
    /// <see cref="InvocationBindingFailureMessage"/> / <see cref="StreamBindingFailureMessage"/>
    /// (the client gets an error completion and the connection stays up).</para>
    /// </remarks>
    public sealed class TestMessagePackHubProtocol : IHubProtocol
    {
        private const int ErrorResult = 1;
        private const int VoidResult = 2;
        private const int NonVoidResult = 3;

        /// <summary>Largest per-thread scratch buffer kept between writes.</summary>
        private const int MaxRetainedScratch = 64 * 1024;

        [ThreadStatic]
        private static ArrayBufferWriter<byte>? _scratch;

        public string Name => "messagepack";

        public int Version => 2;

        public TransferFormat TransferFormat => TransferFormat.Binary;

        public bool IsVersionSupported(int version) => version <= Version;

        // ----- reading -----------------------------------------------------------------------

        public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message)
        {
            var remaining = input;
            while (TryReadFrame(ref remaining, out var frame))
            {
                message = ParseFrame(frame, binder);
                if (message is not null)
                {
                    input = remaining;
                    return true;
                }

                // A message type from a newer protocol revision: ignored, try the next frame.
            }

            // No complete message (yet): leave the input as it was.
            message = null;
            return false;
        }

        /// <summary>
        /// Reads the VarInt length prefix and, when the whole message is there, returns its bytes and
        /// moves <paramref name="buffer"/> past it. False (buffer unchanged) when incomplete.
        /// </summary>
        private static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> payload)
        {
            payload = default;
            Span<byte> prefix = stackalloc byte[5];
            var available = (int)Math.Min(prefix.Length, buffer.Length);
            buffer.Slice(0, available).CopyTo(prefix);

            uint length = 0;
            var prefixLength = 0;
            byte current;
            do
            {
                if (prefixLength == available)
                {
                    return false; // the prefix itself is incomplete
                }

                current = prefix[prefixLength];
                if (prefixLength == 4 && current > 0x07)
                {
                    // A fifth byte may only carry bits 28-30, and never a continuation bit.
                    throw new InvalidDataException("Messages over 2GB in size are not supported (invalid length prefix).");
                }

                length |= (uint)(current & 0x7f) << (7 * prefixLength);
                prefixLength++;
            }
            while ((current & 0x80) != 0);

            if (buffer.Length - prefixLength < length)
            {
                return false; // the message is incomplete
            }

            payload = buffer.Slice(prefixLength, length);
            buffer = buffer.Slice(payload.End);
            return true;
        }

        private static HubMessage? ParseFrame(in ReadOnlySequence<byte> frame, IInvocationBinder binder)
        {
            if (frame.IsSingleSegment)
            {
                return ParseMessage(frame.FirstSpan, binder);
            }

            // Parsed values never keep references to this buffer (bytes are copied out), so it can be pooled.
            var length = (int)frame.Length;
            var rented = ArrayPool<byte>.Shared.Rent(length);
            try
            {
                frame.CopyTo(rented);
                return ParseMessage(rented.AsSpan(0, length), binder);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        private static HubMessage? ParseMessage(ReadOnlySpan<byte> payload, IInvocationBinder binder)
        {
            if (payload.IsEmpty)
            {
                throw new InvalidDataException("Invalid message: a MessagePack hub message cannot be empty.");
            }

            var reader = new MessagePackReader(payload);
            var count = reader.ReadArrayHeader();
            if (count == 0)
            {
                throw new InvalidDataException("Invalid message: the message array is empty (no message type).");
            }

            var type = reader.ReadInt64();
            switch (type)
            {
                case HubProtocolConstants.InvocationMessageType:
                    return ParseInvocation(ref reader, count, binder, isStream: false);
                case HubProtocolConstants.StreamInvocationMessageType:
                    return ParseInvocation(ref reader, count, binder, isStream: true);
                case HubProtocolConstants.StreamItemMessageType:
                    return ParseStreamItem(ref reader, count, binder);
                case HubProtocolConstants.CompletionMessageType:
                    return ParseCompletion(ref reader, count, binder);
                case HubProtocolConstants.CancelInvocationMessageType:
                {
                    RequireElements(count, 3, "CancelInvocation");
                    var headers = ReadHeaders(ref reader);
                    var invocationId = ReadInvocationId(ref reader, "CancelInvocation");
                    return new CancelInvocationMessage(invocationId) { Headers = headers };
                }

                case HubProtocolConstants.PingMessageType:
                    return PingMessage.Instance;
                case HubProtocolConstants.CloseMessageType:
                {
                    RequireElements(count, 2, "Close");
                    var error = ReadNullableString(ref reader, "Close error");
                    var allowReconnect = count >= 3 && !reader.TryReadNil() && ReadBoolean(ref reader, "Close allowReconnect");
                    return error is null && !allowReconnect ? CloseMessage.Empty : new CloseMessage(error, allowReconnect);
                }

                case HubProtocolConstants.AckMessageType:
                    RequireElements(count, 2, "Ack");
                    return new AckMessage(reader.ReadInt64());
                case HubProtocolConstants.SequenceMessageType:
                    RequireElements(count, 2, "Sequence");
                    return new SequenceMessage(reader.ReadInt64());
                default:
                    return null; // unknown message type: ignored (forward compatibility)
            }
        }

        private static HubMessage ParseInvocation(ref MessagePackReader reader, int count, IInvocationBinder binder, bool isStream)
        {
            var name = isStream ? "StreamInvocation" : "Invocation";
            RequireElements(count, 5, name);
            var headers = ReadHeaders(ref reader);
            var invocationId = ReadNullableString(ref reader, name + " invocation id");
            if (isStream && string.IsNullOrEmpty(invocationId))
            {
                throw new InvalidDataException("Invalid StreamInvocation message: an invocation id is required.");
            }

            if (reader.PeekKind() != MessagePackKind.String)
            {
                throw new InvalidDataException($"Invalid {name} message: the target must be a string.");
            }

            var targetBytes = reader.ReadStringBytes();
            var target = binder.GetTarget(targetBytes) ?? Encoding.UTF8.GetString(targetBytes);

            if (reader.PeekKind() != MessagePackKind.Array)
            {
                throw new InvalidDataException($"Invalid {name} message: the arguments must be an array.");
            }

            var argumentCount = reader.ReadArrayHeader();
            object?[] arguments;
            try
            {
                var parameterTypes = binder.GetParameterTypes(target);
                if (argumentCount != parameterTypes.Count)
                {
                    throw new MessagePackBindingException(
                        $"Invocation provides {argumentCount} argument(s) but target expects {parameterTypes.Count}.");
                }

                arguments = new object?[argumentCount];
                for (var i = 0; i < argumentCount; i++)
                {
                    arguments[i] = MessagePackValueReader.Read(ref reader, parameterTypes[i]);
                }
            }
            catch (Exception ex) when (ex is not InvalidDataException)
            {
                // Same as the real protocol: the dispatcher answers with an error completion.
                return new InvocationBindingFailureMessage(invocationId, target, ExceptionDispatchInfo.Capture(ex));
            }

            string[]? streamIds = null;
            if (count >= 6 && !reader.TryReadNil())
            {
                if (reader.PeekKind() != MessagePackKind.Array)
                {
                    throw new InvalidDataException($"Invalid {name} message: the stream ids must be an array.");
                }

                var streamCount = reader.ReadArrayHeader();
                streamIds = new string[streamCount];
                for (var i = 0; i < streamCount; i++)
                {
                    streamIds[i] = ReadNullableString(ref reader, "stream id")
                        ?? throw new InvalidDataException($"Invalid {name} message: a stream id is nil.");
                }
            }

            return isStream
                ? new StreamInvocationMessage(invocationId!, target, arguments, streamIds) { Headers = headers }
                : new InvocationMessage(invocationId, target, arguments, streamIds) { Headers = headers };
        }

        private static HubMessage ParseStreamItem(ref MessagePackReader reader, int count, IInvocationBinder binder)
        {
            RequireElements(count, 4, "StreamItem");
            var headers = ReadHeaders(ref reader);
            var streamId = ReadInvocationId(ref reader, "StreamItem");
            object? item;
            try
            {
                var itemType = binder.GetStreamItemType(streamId);
                item = MessagePackValueReader.Read(ref reader, itemType);
            }
            catch (Exception ex) when (ex is not InvalidDataException)
            {
                return new StreamBindingFailureMessage(streamId, ExceptionDispatchInfo.Capture(ex));
            }

            return new StreamItemMessage(streamId, item) { Headers = headers };
        }

        private static HubMessage ParseCompletion(ref MessagePackReader reader, int count, IInvocationBinder binder)
        {
            RequireElements(count, 4, "Completion");
            var headers = ReadHeaders(ref reader);
            var invocationId = ReadInvocationId(ref reader, "Completion");
            if (reader.PeekKind() != MessagePackKind.Integer)
            {
                throw new InvalidDataException("Invalid Completion message: the result kind must be an integer.");
            }

            var resultKind = reader.ReadInt64();
            switch (resultKind)
            {
                case ErrorResult:
                {
                    RequireElements(count, 5, "Completion (error)");
                    var error = ReadNullableString(ref reader, "Completion error")
                        ?? throw new InvalidDataException("Invalid Completion message: the error is nil.");
                    return new CompletionMessage(invocationId, error, result: null, hasResult: false) { Headers = headers };
                }

                case VoidResult:
                    return new CompletionMessage(invocationId, error: null, result: null, hasResult: false) { Headers = headers };

                case NonVoidResult:
                {
                    RequireElements(count, 5, "Completion (result)");
                    Type? resultType;
                    try
                    {
                        resultType = binder.GetReturnType(invocationId);
                    }
                    catch (Exception)
                    {
                        resultType = null; // nobody is waiting for this id; the framework logs and drops it
                    }

                    object? result = null;
                    if (resultType is null)
                    {
                        reader.Skip();
                    }
                    else
                    {
                        try
                        {
                            result = MessagePackValueReader.Read(ref reader, resultType);
                        }
                        catch (Exception ex) when (ex is not InvalidDataException)
                        {
                            // The waiting server code gets this as the client's error.
                            return new CompletionMessage(
                                invocationId,
                                $"Error trying to deserialize result to {resultType.Name}. {ex.Message}",
                                result: null,
                                hasResult: false)
                            { Headers = headers };
                        }
                    }

                    return new CompletionMessage(invocationId, error: null, result, hasResult: true) { Headers = headers };
                }

                default:
                    throw new InvalidDataException($"Invalid Completion message: unknown result kind {resultKind}.");
            }
        }

        private static void RequireElements(int count, int minimum, string name)
        {
            if (count < minimum)
            {
                throw new InvalidDataException(
                    $"Invalid {name} message: expected at least {minimum} array elements, got {count}.");
            }
        }

        private static IDictionary<string, string>? ReadHeaders(ref MessagePackReader reader)
        {
            if (reader.PeekKind() != MessagePackKind.Map)
            {
                throw new InvalidDataException("Invalid message: the headers must be a map.");
            }

            var count = reader.ReadMapHeader();
            if (count == 0)
            {
                return null;
            }

            var headers = new Dictionary<string, string>(count, StringComparer.Ordinal);
            for (var i = 0; i < count; i++)
            {
                var key = ReadNullableString(ref reader, "header name")
                    ?? throw new InvalidDataException("Invalid message: a header name is nil.");
                headers[key] = ReadNullableString(ref reader, "header value")
                    ?? throw new InvalidDataException($"Invalid message: the value of header '{key}' is nil.");
            }

            return headers;
        }

        private static string ReadInvocationId(ref MessagePackReader reader, string name) =>
            ReadNullableString(ref reader, name + " invocation id")
            ?? throw new InvalidDataException($"Invalid {name} message: the invocation id is nil.");

        private static string? ReadNullableString(ref MessagePackReader reader, string what)
        {
            var kind = reader.PeekKind();
            if (kind == MessagePackKind.Nil)
            {
                reader.TryReadNil();
                return null;
            }

            if (kind != MessagePackKind.String)
            {
                throw new InvalidDataException(
                    $"Invalid message: the {what} must be a string, not {MessagePackReader.Describe(kind)}.");
            }

            return reader.ReadString();
        }

        private static bool ReadBoolean(ref MessagePackReader reader, string what)
        {
            var kind = reader.PeekKind();
            if (kind != MessagePackKind.Boolean)
            {
                throw new InvalidDataException(
                    $"Invalid message: the {what} must be a boolean, not {MessagePackReader.Describe(kind)}.");
            }

            return reader.ReadBoolean();
        }

        // ----- writing -----------------------------------------------------------------------

        public void WriteMessage(HubMessage message, IBufferWriter<byte> output)
        {
            // The body goes to a scratch buffer first: its length is the prefix, and a value that
            // fails to serialize leaves nothing half-written in the output.
            var scratch = _scratch ?? new ArrayBufferWriter<byte>(256);
            _scratch = null; // not shared with a nested call, should one ever happen
            try
            {
                WriteBody(message, new MessagePackWriter(scratch));

                var length = scratch.WrittenCount;
                Span<byte> prefix = stackalloc byte[5];
                var prefixLength = 0;
                var remaining = (uint)length;
                do
                {
                    var part = (byte)(remaining & 0x7f);
                    remaining >>= 7;
                    if (remaining != 0)
                    {
                        part |= 0x80;
                    }

                    prefix[prefixLength++] = part;
                }
                while (remaining != 0);

                output.Write(prefix[..prefixLength]);
                output.Write(scratch.WrittenSpan);
            }
            finally
            {
                if (scratch.Capacity <= MaxRetainedScratch)
                {
                    scratch.ResetWrittenCount();
                    _scratch = scratch;
                }
            }
        }

        public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message)
        {
            var output = new ArrayBufferWriter<byte>(64);
            WriteMessage(message, output);
            return output.WrittenMemory;
        }

        private static void WriteBody(HubMessage message, MessagePackWriter writer)
        {
            switch (message)
            {
                case InvocationMessage invocation:
                    WriteInvocation(writer, HubProtocolConstants.InvocationMessageType, invocation);
                    break;
                case StreamInvocationMessage streamInvocation:
                    WriteInvocation(writer, HubProtocolConstants.StreamInvocationMessageType, streamInvocation);
                    break;
                case StreamItemMessage streamItem:
                    writer.WriteArrayHeader(4);
                    writer.WriteInt64(HubProtocolConstants.StreamItemMessageType);
                    WriteHeaders(writer, streamItem.Headers);
                    writer.WriteString(streamItem.InvocationId!);
                    MessagePackValueWriter.Write(writer, streamItem.Item);
                    break;
                case CompletionMessage completion:
                    WriteCompletion(writer, completion);
                    break;
                case CancelInvocationMessage cancel:
                    writer.WriteArrayHeader(3);
                    writer.WriteInt64(HubProtocolConstants.CancelInvocationMessageType);
                    WriteHeaders(writer, cancel.Headers);
                    writer.WriteString(cancel.InvocationId!);
                    break;
                case PingMessage:
                    writer.WriteArrayHeader(1);
                    writer.WriteInt64(HubProtocolConstants.PingMessageType);
                    break;
                case CloseMessage close:
                    writer.WriteArrayHeader(3);
                    writer.WriteInt64(HubProtocolConstants.CloseMessageType);
                    writer.WriteNullableString(close.Error);
                    writer.WriteBoolean(close.AllowReconnect);
                    break;
                case AckMessage ack:
                    writer.WriteArrayHeader(2);
                    writer.WriteInt64(HubProtocolConstants.AckMessageType);
                    writer.WriteInt64(ack.SequenceId);
                    break;
                case SequenceMessage sequence:
                    writer.WriteArrayHeader(2);
                    writer.WriteInt64(HubProtocolConstants.SequenceMessageType);
                    writer.WriteInt64(sequence.SequenceId);
                    break;
                default:
                    throw new InvalidOperationException($"The MessagePack hub protocol cannot write a {message.GetType().Name}.");
            }
        }

        private static void WriteInvocation(MessagePackWriter writer, int messageType, HubMethodInvocationMessage invocation)
        {
            var streamIds = invocation.StreamIds;
            var hasStreamIds = streamIds is { Length: > 0 };
            writer.WriteArrayHeader(hasStreamIds ? 6 : 5);
            writer.WriteInt64(messageType);
            WriteHeaders(writer, invocation.Headers);
            writer.WriteNullableString(invocation.InvocationId);
            writer.WriteString(invocation.Target);

            var arguments = invocation.Arguments ?? Array.Empty<object?>();
            writer.WriteArrayHeader(arguments.Length);
            foreach (var argument in arguments)
            {
                MessagePackValueWriter.Write(writer, argument);
            }

            if (hasStreamIds)
            {
                writer.WriteArrayHeader(streamIds!.Length);
                foreach (var streamId in streamIds)
                {
                    writer.WriteString(streamId);
                }
            }
        }

        private static void WriteCompletion(MessagePackWriter writer, CompletionMessage completion)
        {
            var resultKind = completion.Error is not null ? ErrorResult
                : completion.HasResult ? NonVoidResult
                : VoidResult;
            writer.WriteArrayHeader(resultKind == VoidResult ? 4 : 5);
            writer.WriteInt64(HubProtocolConstants.CompletionMessageType);
            WriteHeaders(writer, completion.Headers);
            writer.WriteString(completion.InvocationId!);
            writer.WriteInt64(resultKind);
            if (resultKind == ErrorResult)
            {
                writer.WriteString(completion.Error!);
            }
            else if (resultKind == NonVoidResult)
            {
                MessagePackValueWriter.Write(writer, completion.Result);
            }
        }

        private static void WriteHeaders(MessagePackWriter writer, IDictionary<string, string>? headers)
        {
            if (headers is null || headers.Count == 0)
            {
                writer.WriteMapHeader(0);
                return;
            }

            writer.WriteMapHeader(headers.Count);
            foreach (var (key, value) in headers)
            {
                writer.WriteString(key);
                writer.WriteString(value);
            }
        }
    }
}
