using System;
using System.Collections.Generic;
using System.IO;

namespace AltinnApp.Core.Api
{
    /// <summary>Content type from a file's extension, as Altinn's own MimeTypeMap maps it (reference §6.2).</summary>
    public static class MimeTypes
    {
        private static readonly Dictionary<string, string> Map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            [".pdf"] = "application/pdf",
            [".png"] = "image/png",
            [".jpg"] = "image/jpeg",
            [".jpeg"] = "image/jpeg",
            [".gif"] = "image/gif",
            [".bmp"] = "image/bmp",
            [".tif"] = "image/tiff",
            [".tiff"] = "image/tiff",
            [".txt"] = "text/plain",
            [".csv"] = "text/csv",
            [".xml"] = "text/xml",
            [".json"] = "application/json",
            [".zip"] = "application/zip",
            [".doc"] = "application/msword",
            [".docx"] = "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            [".xls"] = "application/vnd.ms-excel",
            [".xlsx"] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            [".odt"] = "application/vnd.oasis.opendocument.text",
            [".ods"] = "application/vnd.oasis.opendocument.spreadsheet",
            [".html"] = "text/html",
            [".htm"] = "text/html",
        };

        public static string FromFileName(string fileName)
        {
            var extension = Path.GetExtension(fileName ?? string.Empty);
            return Map.TryGetValue(extension, out var type) ? type : "application/octet-stream";
        }
    }
}
