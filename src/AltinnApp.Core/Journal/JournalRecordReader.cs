using System;
using System.Collections.Generic;
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
        /// <returns>The record, or null for a line that is not a whole JSON object (one torn by a kill).</returns>
        public static JournalRecord Read(ReadOnlySpan<byte> line, JsonSerializerOptions options)
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
                    var name = reader.GetString();
                    if (!reader.Read()) return null;
                    if (reader.TokenType == JsonTokenType.Null) continue;
                    switch (name)
                    {
                        case "key": record.Key = reader.GetString(); break;
                        case "state": record.State = ReadState(ref reader); break;
                        case "at": record.At = reader.GetDateTimeOffset(); break;
                        case "app": record.App = reader.GetString(); break;
                        case "partyId": record.PartyId = reader.GetInt32(); break;
                        case "org": record.OrganizationNumber = reader.GetString(); break;
                        case "owner": record.OwnerKind = reader.GetString(); break;
                        case "prefill": record.PrefillFingerprint = reader.GetString(); break;
                        case "content": record.ContentFingerprint = reader.GetString(); break;
                        case "instanceId": record.InstanceId = reader.GetString(); break;
                        case "receipt": record.ReceiptPath = reader.GetString(); break;
                        case "receiptClaim": record.ReceiptClaim = reader.GetString(); break;
                        case "step": record.Step = reader.GetString(); break;
                        case "seq": record.StepNumber = reader.GetInt32(); break;
                        case "dataType": record.DataType = reader.GetString(); break;
                        case "hash": record.Hash = reader.GetString(); break;
                        case "files": record.Files = JsonSerializer.Deserialize<List<JournalFile>>(ref reader, options); break;
                        case "task": record.Task = reader.GetString(); break;
                        case "error": record.Error = reader.GetString(); break;
                        case "errorId": record.ErrorId = reader.GetString(); break;
                        case "nothingCreated": record.NothingCreated = reader.GetBoolean(); break;
                        case "pid": record.ProcessId = reader.GetInt32(); break;
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

        private static JournalState ReadState(ref Utf8JsonReader reader)
        {
            if (reader.TokenType == JsonTokenType.Number) return (JournalState)reader.GetInt64();
            if (Enum.TryParse<JournalState>(reader.GetString(), ignoreCase: false, out var state)) return state;
            throw new FormatException("not a journal state");
        }
    }
}
