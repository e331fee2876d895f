using System;
using System.Collections.Generic;
using System.Text;
using System.Text.Json;

namespace AltinnApp.Core.Journal
{
    /// <summary>
    /// Reads one journal line into a <see cref="JournalRecord"/> field by field. A journal of 100,000 keys has some
    /// 700,000 lines, read whole at the start of every run and by every Get-AltinnJournal: the serializer's general
    /// path costs several times this per line. The names are those of <see cref="JournalRecord"/>'s JsonPropertyName;
    /// a name it does not know is skipped, so a line written by a later version still reads.
    /// </summary>
    internal static class JournalRecordReader
    {
        /// <summary>
        /// AggressiveOptimization (not in netstandard2.0's enum): the read of a large journal happens once, in a fresh
        /// process, so its loop would otherwise run as unoptimised first-tier code for much of the file.
        /// </summary>
        internal const System.Runtime.CompilerServices.MethodImplOptions Optimized = (System.Runtime.CompilerServices.MethodImplOptions)512;

        /// <returns>The record, or null for a line that is not a whole JSON object (one torn by a kill).</returns>
        public static JournalRecord Read(ReadOnlySpan<byte> line, JsonSerializerOptions options) => Read(line, options, null);

        /// <summary>As <see cref="Read(ReadOnlySpan{byte}, JsonSerializerOptions)"/>, taking repeated values from <paramref name="pool"/> (null: none).</summary>
        [System.Runtime.CompilerServices.MethodImpl(JournalRecordReader.Optimized)]
        public static JournalRecord Read(ReadOnlySpan<byte> line, JsonSerializerOptions options, JournalStringPool pool)
        {
            try
            {
                var reader = new Utf8JsonReader(line);
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
                var record = new JournalRecord();
                while (reader.Read())
                {
                    if (reader.TokenType == JsonTokenType.EndObject) return record;
                    if (reader.TokenType != JsonTokenType.PropertyName) return null;
                    // the name is matched on its bytes: a string per name per line was a good part of the cost
                    var name = reader.ValueIsEscaped ? Encoding.UTF8.GetBytes(reader.GetString()) : reader.ValueSpan;
                    if (!reader.Read()) return null;
                    if (reader.TokenType == JsonTokenType.Null) continue;
                    switch (FieldOf(name))
                    {
                        case Field.Key: record.Key = Text(ref reader, pool); break;
                        case Field.State: record.State = ReadState(ref reader); break;
                        case Field.At: record.At = reader.GetDateTimeOffset(); break;
                        case Field.App: record.App = Text(ref reader, pool); break;
                        case Field.PartyId: record.PartyId = reader.GetInt32(); break;
                        case Field.Org: record.OrganizationNumber = Text(ref reader, pool); break;
                        case Field.Owner: record.OwnerKind = Text(ref reader, pool); break;
                        case Field.Prefill: record.PrefillFingerprint = Text(ref reader, pool); break;
                        case Field.Content: record.ContentFingerprint = Text(ref reader, pool); break;
                        case Field.InstanceId: record.InstanceId = Text(ref reader, pool); break;
                        case Field.Receipt: record.ReceiptPath = Text(ref reader, pool); break;
                        case Field.ReceiptClaim: record.ReceiptClaim = Text(ref reader, pool); break;
                        case Field.Step: record.Step = Text(ref reader, pool); break;
                        case Field.Seq: record.StepNumber = reader.GetInt32(); break;
                        case Field.DataType: record.DataType = Text(ref reader, pool); break;
                        case Field.Hash: record.Hash = Text(ref reader, pool); break;
                        case Field.Files: record.Files = JsonSerializer.Deserialize<List<JournalFile>>(ref reader, options); break;
                        case Field.Task: record.Task = Text(ref reader, pool); break;
                        case Field.Error: record.Error = Text(ref reader, pool); break;
                        case Field.ErrorId: record.ErrorId = Text(ref reader, pool); break;
                        case Field.NothingCreated: record.NothingCreated = reader.GetBoolean(); break;
                        case Field.Pid: record.ProcessId = reader.GetInt32(); break;
                        default: reader.Skip(); break;
                    }
                }

                return null; // the line ended inside the object
            }
            catch (Exception ex) when (ex is JsonException || ex is FormatException || ex is InvalidOperationException)
            {
                return null;
            }
        }

        [System.Runtime.CompilerServices.MethodImpl(JournalRecordReader.Optimized)]
        private static string Text(ref Utf8JsonReader reader, JournalStringPool pool)
        {
            if (pool != null && reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && !reader.HasValueSequence)
            {
                var pooled = pool.Get(reader.ValueSpan);
                if (pooled != null) return pooled;
            }

            return reader.GetString();
        }

        private enum Field
        {
            Unknown, Key, State, At, App, PartyId, Org, Owner, Prefill, Content, InstanceId, Receipt, ReceiptClaim, Step, Seq,
            DataType, Hash, Files, Task, Error, ErrorId, Pid, NothingCreated,
        }

        private static readonly byte[][] Names = Array.ConvertAll(new[]
        {
            string.Empty, "key", "state", "at", "app", "partyId", "org", "owner", "prefill", "content", "instanceId", "receipt", "receiptClaim",
            "step", "seq", "dataType", "hash", "files", "task", "error", "errorId", "pid", "nothingCreated",
        }, Encoding.UTF8.GetBytes);

        // by length first: most names are then told apart by one compare
        private static readonly Field[][] ByLength = BuildByLength();

        private static Field[][] BuildByLength()
        {
            var table = new List<Field>[16];
            for (var i = 1; i < Names.Length; i++)
            {
                var length = Names[i].Length;
                (table[length] ?? (table[length] = new List<Field>())).Add((Field)i);
            }

            return Array.ConvertAll(table, list => list?.ToArray() ?? new Field[0]);
        }

        [System.Runtime.CompilerServices.MethodImpl(JournalRecordReader.Optimized)]
        private static Field FieldOf(ReadOnlySpan<byte> name)
        {
            if (name.Length >= ByLength.Length) return Field.Unknown;
            foreach (var field in ByLength[name.Length])
            {
                if (name.SequenceEqual(Names[(int)field])) return field;
            }

            return Field.Unknown;
        }

        private static readonly byte[][] StateNames = Array.ConvertAll(Enum.GetNames(typeof(JournalState)), Encoding.UTF8.GetBytes);
        private static readonly JournalState[] StateValues = (JournalState[])Enum.GetValues(typeof(JournalState));

        [System.Runtime.CompilerServices.MethodImpl(JournalRecordReader.Optimized)]
        private static JournalState ReadState(ref Utf8JsonReader reader)
        {
            if (reader.TokenType == JsonTokenType.Number) return (JournalState)reader.GetInt64();
            if (!reader.ValueIsEscaped && !reader.HasValueSequence)
            {
                for (var i = 0; i < StateNames.Length; i++)
                {
                    if (reader.ValueSpan.SequenceEqual(StateNames[i])) return StateValues[i];
                }
            }

            if (Enum.TryParse<JournalState>(reader.GetString(), ignoreCase: false, out var state)) return state;
            throw new FormatException("not a journal state");
        }
    }
}
