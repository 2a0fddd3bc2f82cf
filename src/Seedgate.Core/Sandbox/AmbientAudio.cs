using System.Buffers.Binary;

namespace Seedgate.Core.Sandbox;

/// <summary>
/// A synthesised ambient bed shaped by the prompt: rain, wind, city, sea, music, or a soft pad. 48 kHz stereo,
/// deterministic from the seed, exactly the clip's length, written as 16-bit WAV.
/// </summary>
internal static class AmbientAudio
{
    public const int SampleRate = 48000;

    /// <summary>Interleaved stereo samples in -1..1, <paramref name="frames"/> sample frames long.</summary>
    public static float[] Synthesize(PromptWords words, ulong seed, int frames)
    {
        var mix = new float[frames * 2];
        var rng = new Rng(seed ^ 0xA0D10UL);
        var beds = 0;
        if (words.Any("rain", "rainy", "raining", "storm", "drizzle", "downpour", "rainfall"))
        {
            Rain(mix, ref rng);
            beds++;
        }

        if (words.Any("wind", "windy", "breeze", "desert", "mountain", "storm", "blizzard", "snow", "peak"))
        {
            Wind(mix, ref rng);
            beds++;
        }

        if (words.Any("city", "street", "traffic", "urban", "downtown", "neon", "town", "car"))
        {
            City(mix, ref rng);
            beds++;
        }

        if (words.Any("sea", "ocean", "wave", "beach", "surf", "shore", "coast"))
        {
            Sea(mix, ref rng);
            beds++;
        }

        if (words.Any("music", "song", "melody", "piano", "guitar", "dance", "dancing", "concert", "band", "sing", "singing"))
        {
            Music(mix, ref rng, 0.22f);
            beds++;
        }

        if (beds == 0)
        {
            Pad(mix, ref rng);
        }

        Finish(mix);
        return mix;
    }

    /// <summary>Writes interleaved stereo floats as a 16-bit PCM WAV file.</summary>
    public static async Task WriteWavAsync(string path, float[] samples, CancellationToken cancellationToken)
    {
        var dataBytes = samples.Length * 2;
        var bytes = new byte[44 + dataBytes];
        var span = bytes.AsSpan();
        "RIFF"u8.CopyTo(span);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], 36 + dataBytes);
        "WAVEfmt "u8.CopyTo(span[8..]);
        BinaryPrimitives.WriteInt32LittleEndian(span[16..], 16);
        BinaryPrimitives.WriteInt16LittleEndian(span[20..], 1); // PCM
        BinaryPrimitives.WriteInt16LittleEndian(span[22..], 2);
        BinaryPrimitives.WriteInt32LittleEndian(span[24..], SampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(span[28..], SampleRate * 4);
        BinaryPrimitives.WriteInt16LittleEndian(span[32..], 4);
        BinaryPrimitives.WriteInt16LittleEndian(span[34..], 16);
        "data"u8.CopyTo(span[36..]);
        BinaryPrimitives.WriteInt32LittleEndian(span[40..], dataBytes);
        for (var i = 0; i < samples.Length; i++)
        {
            var s = (short)Math.Clamp(MathF.Round(samples[i] * 32767f), -32768, 32767);
            BinaryPrimitives.WriteInt16LittleEndian(span[(44 + (i * 2))..], s);
        }

        await File.WriteAllBytesAsync(path, bytes, cancellationToken).ConfigureAwait(false);
    }

    private static float Noise(ref Rng rng) => (float)((rng.NextDouble() * 2) - 1);

    /// <summary>Rain: band-passed noise for the hiss, plus short decaying "tick" drops panned at random.</summary>
    private static void Rain(float[] mix, ref Rng rng)
    {
        float low = 0, lowSlow = 0;
        var frames = mix.Length / 2;
        for (var i = 0; i < frames; i++)
        {
            var n = Noise(ref rng);
            low += 0.35f * (n - low);        // one-pole low-pass ~ 3.3 kHz
            lowSlow += 0.02f * (low - lowSlow); // subtract a ~150 Hz low-pass: a band-pass
            var hiss = (low - lowSlow) * 0.5f;
            mix[2 * i] += hiss;
            mix[(2 * i) + 1] += hiss * 0.9f + (Noise(ref rng) * 0.02f);
        }

        var at = 0;
        while (true)
        {
            at += (int)(SampleRate * rng.Range(0.015, 0.08));
            if (at >= frames)
            {
                break;
            }

            var frequency = rng.Range(1800, 4200);
            var amplitude = (float)rng.Range(0.05, 0.2);
            var pan = (float)rng.NextDouble();
            var length = Math.Min(frames - at, SampleRate / 80);
            for (var k = 0; k < length; k++)
            {
                var s = amplitude * MathF.Exp(-k / (SampleRate / 900f)) * MathF.Sin((float)(2 * Math.PI * frequency * k / SampleRate));
                mix[2 * (at + k)] += s * (1 - pan);
                mix[(2 * (at + k)) + 1] += s * pan;
            }
        }
    }

    /// <summary>Wind: leaky-integrated (brown) noise under a slow, irregular swell.</summary>
    private static void Wind(float[] mix, ref Rng rng)
    {
        float left = 0, right = 0;
        var rate1 = rng.Range(0.11, 0.19);
        var rate2 = rng.Range(0.23, 0.37);
        var phase = rng.Range(0, 6.28);
        for (var i = 0; i < mix.Length / 2; i++)
        {
            left = (0.996f * left) + (0.04f * Noise(ref rng));
            right = (0.996f * right) + (0.04f * Noise(ref rng));
            var t = i / (double)SampleRate;
            var swell = (float)(0.55 + (0.3 * Math.Sin((2 * Math.PI * rate1 * t) + phase)) + (0.15 * Math.Sin(2 * Math.PI * rate2 * t)));
            mix[2 * i] += left * swell * 0.9f;
            mix[(2 * i) + 1] += right * swell * 0.9f;
        }
    }

    /// <summary>City: a low traffic rumble plus the occasional distant two-tone horn.</summary>
    private static void City(float[] mix, ref Rng rng)
    {
        float rumble = 0, rumble2 = 0;
        var frames = mix.Length / 2;
        for (var i = 0; i < frames; i++)
        {
            rumble += 0.01f * (Noise(ref rng) - rumble);
            rumble2 += 0.01f * (rumble - rumble2);
            var s = rumble2 * 9f;
            mix[2 * i] += s;
            mix[(2 * i) + 1] += s;
        }

        var at = (int)(SampleRate * rng.Range(0.3, 1.5));
        while (at < frames)
        {
            var f1 = rng.Range(380, 520);
            var length = Math.Min(frames - at, (int)(SampleRate * rng.Range(0.25, 0.5)));
            var pan = (float)rng.NextDouble();
            for (var k = 0; k < length; k++)
            {
                var env = MathF.Min(1, k / 800f) * MathF.Min(1, (length - k) / 800f);
                var f = k < length / 2 ? f1 : f1 * 0.8;
                var s = 0.05f * env * MathF.Sign(MathF.Sin((float)(2 * Math.PI * f * k / SampleRate)));
                mix[2 * (at + k)] += s * (1 - pan);
                mix[(2 * (at + k)) + 1] += s * pan;
            }

            at += (int)(SampleRate * rng.Range(1.5, 3.5));
        }
    }

    /// <summary>Sea: pink-ish noise breathing on a ~0.1 Hz wave envelope, the two channels slightly out of step.</summary>
    private static void Sea(float[] mix, ref Rng rng)
    {
        float l1 = 0, l2 = 0, r1 = 0, r2 = 0;
        var rate = rng.Range(0.08, 0.13);
        var phase = rng.Range(0, 6.28);
        for (var i = 0; i < mix.Length / 2; i++)
        {
            l1 += 0.08f * (Noise(ref rng) - l1);
            l2 += 0.3f * (Noise(ref rng) - l2);
            r1 += 0.08f * (Noise(ref rng) - r1);
            r2 += 0.3f * (Noise(ref rng) - r2);
            var t = i / (double)SampleRate;
            var wl = (float)Math.Pow(0.5 + (0.5 * Math.Sin((2 * Math.PI * rate * t) + phase)), 2);
            var wr = (float)Math.Pow(0.5 + (0.5 * Math.Sin((2 * Math.PI * rate * t) + phase + 0.4)), 2);
            mix[2 * i] += ((l1 * 1.2f) + (l2 * 0.3f)) * (0.15f + wl);
            mix[(2 * i) + 1] += ((r1 * 1.2f) + (r2 * 0.3f)) * (0.15f + wr);
        }
    }

    /// <summary>Music: I–V–vi–IV in a seed-chosen key, soft triangle-wave chords over a root bass.</summary>
    private static void Music(float[] mix, ref Rng rng, float level)
    {
        var key = 48 + (int)(rng.NextDouble() * 12); // a MIDI note around C3
        int[][] progression = [[0, 4, 7], [7, 11, 14], [9, 12, 16], [5, 9, 12]];
        var chordLength = SampleRate * 2;
        var frames = mix.Length / 2;
        for (var i = 0; i < frames; i++)
        {
            var chord = progression[(i / chordLength) % progression.Length];
            var inChord = i % chordLength;
            var env = MathF.Min(1, inChord / 2400f) * MathF.Exp(-inChord / (SampleRate * 1.6f));
            var t = i / (double)SampleRate;
            var s = 0f;
            foreach (var step in chord)
            {
                s += Triangle(Midi(key + 12 + step) * t);
            }

            s = (s / 3 * env) + (0.6f * MathF.Sin((float)(2 * Math.PI * Midi(key - 12 + chord[0]) * t)) * env);
            mix[2 * i] += s * level;
            mix[(2 * i) + 1] += s * level;
        }
    }

    /// <summary>The default: a quiet, slowly breathing major-seventh pad.</summary>
    private static void Pad(float[] mix, ref Rng rng)
    {
        var key = 45 + (int)(rng.NextDouble() * 12);
        int[] notes = [0, 7, 11, 16];
        var detune = rng.Range(0.2, 0.6);
        for (var i = 0; i < mix.Length / 2; i++)
        {
            var t = i / (double)SampleRate;
            var swell = (float)(0.6 + (0.4 * Math.Sin(2 * Math.PI * 0.2 * t)));
            float l = 0, r = 0;
            foreach (var n in notes)
            {
                var f = Midi(key + n);
                l += MathF.Sin((float)(2 * Math.PI * f * t));
                r += MathF.Sin((float)(2 * Math.PI * (f + detune) * t));
            }

            mix[2 * i] += l * 0.04f * swell;
            mix[(2 * i) + 1] += r * 0.04f * swell;
        }
    }

    /// <summary>Soft-limits the sum and fades the ends (20 ms) so the clip starts and stops without a click.</summary>
    private static void Finish(float[] mix)
    {
        var frames = mix.Length / 2;
        var fade = Math.Min(SampleRate / 50, frames / 2);
        for (var i = 0; i < frames; i++)
        {
            var g = i < fade ? i / (float)fade : i >= frames - fade ? (frames - 1 - i) / (float)fade : 1f;
            mix[2 * i] = MathF.Tanh(mix[2 * i]) * g;
            mix[(2 * i) + 1] = MathF.Tanh(mix[(2 * i) + 1]) * g;
        }
    }

    private static double Midi(int note) => 440 * Math.Pow(2, (note - 69) / 12.0);

    private static float Triangle(double cycles)
    {
        var f = cycles - Math.Floor(cycles);
        return (float)((4 * Math.Abs(f - 0.5)) - 1);
    }
}
