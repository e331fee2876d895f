using System;
using System.Runtime.InteropServices;

namespace AltinnApp.Core.Journal
{
    /// <summary>
    /// One string for each distinct short ASCII value read from a journal. A key's seven records repeat its key, app,
    /// organisation, fingerprints and instance id, and most values repeat across keys too: reading them as new strings
    /// allocated some ten strings a line, and an entry updated with a fresh copy of a value it already held pushed that
    /// copy into the older GC generations. With the pool a repeated value costs a hash and a compare, no allocation.
    /// Not thread-safe: used under the journal's lock.
    /// </summary>
    internal sealed class JournalStringPool
    {
        private const int MaxPooledLength = 256;
        private string[] _slots = new string[1024];
        private int[] _hashes = new int[1024];
        private int _count;

        /// <summary>Forgets every value (the file was replaced).</summary>
        public void Clear()
        {
            Array.Clear(_slots, 0, _slots.Length);
            _count = 0;
        }

        /// <summary>The pooled string for <paramref name="utf8"/>, or null when it is not short ASCII (the caller decodes it).</summary>
        [System.Runtime.CompilerServices.MethodImpl(JournalRecordReader.Optimized)]
        public string Get(ReadOnlySpan<byte> utf8)
        {
            if (utf8.Length > MaxPooledLength) return null;
            // FNV-1a over four bytes at a time, and the ASCII test on the same words
            var hash = unchecked((int)2166136261) ^ utf8.Length;
            var words = MemoryMarshal.Cast<byte, uint>(utf8);
            uint high = 0;
            foreach (var word in words)
            {
                high |= word;
                hash = unchecked((hash ^ (int)word) * 16777619);
            }

            for (var i = words.Length * 4; i < utf8.Length; i++)
            {
                high |= utf8[i];
                hash = unchecked((hash ^ utf8[i]) * 16777619);
            }

            if ((high & 0x80808080u) != 0) return null;
            // the slot is taken from the low bits, which a word-wise FNV leaves to the first byte of each word: mix them all in
            hash = unchecked((int)Mix((uint)hash));
            var mask = _slots.Length - 1;
            for (var i = hash & mask; ; i = (i + 1) & mask)
            {
                var slot = _slots[i];
                if (slot == null)
                {
                    var value = Ascii(utf8);
                    _slots[i] = value;
                    _hashes[i] = hash;
                    if (++_count * 2 > _slots.Length) Grow();
                    return value;
                }

                if (_hashes[i] == hash && SameAscii(utf8, slot)) return slot;
            }
        }

        private static uint Mix(uint h)
        {
            h ^= h >> 16;
            h = unchecked(h * 0x85EBCA6Bu);
            h ^= h >> 13;
            h = unchecked(h * 0xC2B2AE35u);
            return h ^ (h >> 16);
        }

        private static string Ascii(ReadOnlySpan<byte> utf8)
        {
            var chars = new char[utf8.Length];
            for (var i = 0; i < chars.Length; i++) chars[i] = (char)utf8[i];
            return new string(chars);
        }

        private static bool SameAscii(ReadOnlySpan<byte> utf8, string value)
        {
            if (utf8.Length != value.Length) return false;
            for (var i = 0; i < utf8.Length; i++)
            {
                if (utf8[i] != value[i]) return false;
            }

            return true;
        }

        private void Grow()
        {
            var slots = new string[_slots.Length * 2];
            var hashes = new int[slots.Length];
            var mask = slots.Length - 1;
            for (var j = 0; j < _slots.Length; j++)
            {
                if (_slots[j] == null) continue;
                var i = _hashes[j] & mask;
                while (slots[i] != null) i = (i + 1) & mask;
                slots[i] = _slots[j];
                hashes[i] = _hashes[j];
            }

            _slots = slots;
            _hashes = hashes;
        }
    }
}
