using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;

namespace AltinnApp.Core
{
    /// <summary>
    /// A read-only list that reads as its items where it is turned into text (Export-Csv, a truncated ConvertTo-Json),
    /// instead of as its type's name.
    /// </summary>
    public sealed class ReadableList<T> : ReadOnlyCollection<T>
    {
        public ReadableList(IEnumerable<T> items)
            : base(items.ToList())
        {
        }

        public override string ToString() => string.Join(", ", this.Select(item => item?.ToString()));
    }
}
