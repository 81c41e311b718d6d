package pipeline

import (
	"fmt"
	"strings"
)

// KeyDoc documents one manifest key. docs/manifest.md's reference section is
// generated from manifestKeys (go test ./pipeline -update), the decoder's
// "known keys" hints come from it, and a test loads a manifest setting every
// key to its documented default: the three cannot drift apart.
type KeyDoc struct {
	Table    string // "" top level, "dataset", "input", "streamer", "features", "output"
	Key      string
	Type     string
	Default  string // as TOML; "" when required or none
	Doc      string
	NFStream string // the NFStreamer parameter this key replaces, if any
}

var manifestKeys = []KeyDoc{
	{Table: "", Key: "dataset", Type: "table", Doc: "name, version and description of the dataset (required)"},
	{Table: "", Key: "input", Type: "array of tables", Doc: "the captures, one job each (at least one)"},
	{Table: "", Key: "streamer", Type: "table", Doc: "metering parameters, NFStreamer's names and defaults"},
	{Table: "", Key: "features", Type: "table", Doc: "feature sets, their options, plugins and derived columns"},
	{Table: "", Key: "label", Type: "array of tables", Doc: "labelers, applied in order; each adds one string column (docs/labelers.md)"},
	{Table: "", Key: "output", Type: "table", Doc: "where and how the dataset is written (required)"},

	{Table: "dataset", Key: "name", Type: "string", Doc: "dataset name (required); recorded in dataset.json"},
	{Table: "dataset", Key: "version", Type: "string", Default: `""`, Doc: "your version of the dataset; recorded in dataset.json"},
	{Table: "dataset", Key: "description", Type: "string", Default: `""`, Doc: "free text; recorded in dataset.json"},
	{Table: "dataset", Key: "license", Type: "string", Default: `""`, Doc: "the dataset's license as an SPDX identifier or expression (`CC-BY-4.0`); in croissant.json and the dataset card"},
	{Table: "dataset", Key: "citation", Type: "string", Default: `""`, Doc: "how to cite the dataset, a BibTeX entry; croissant.json's citeAs and the card's citation section"},
	{Table: "dataset", Key: "creators", Type: "array of strings", Default: "[]", Doc: "the people or organisations who made the dataset; croissant.json's creator"},
	{Table: "dataset", Key: "url", Type: "string", Default: `""`, Doc: "where the dataset is published (http(s)://); croissant.json's url"},
	{Table: "dataset", Key: "card", Type: "string", Default: `""`, Doc: "a Markdown file (relative to the manifest) with the authors' own prose, placed in the generated dataset card README.md"},

	{Table: "input", Key: "path", Type: "string", Doc: "a capture file or a glob (`*`, `?`, `[…]`, `**`, `{a,b}`; never matching the output folder or dot-names, see Globs); relative to the manifest's directory unless absolute; or an `s3://bucket/key` object or glob over a prefix (see Object storage); `${VAR}` is replaced by the environment variable. Each glob match is its own input, in sorted order", NFStream: "source (a path)"},
	{Table: "input", Key: "files", Type: "array of strings", Doc: "several files read one after another as one capture (no globs); instead of path", NFStream: "source (a list of paths)"},
	{Table: "input", Key: "name", Type: "string", Default: "the file name", Doc: "the value of the `source` column for this input's flows; must be unique; not allowed with a glob matching several files"},
	{Table: "input", Key: "sha256", Type: "string", Default: `""`, Doc: "pin: the file's SHA-256 (hex), checked before any work starts; single file only"},
	{Table: "input", Key: "dedup_window", Type: "integer", Default: "0", Doc: "remove duplicate frames exactly as `editcap -D N`: a frame whose captured bytes equal those of one of the N−1 frames before it is dropped (editcap's window counts the current frame); 0 (or 1) keeps every frame; at most 1000000; runs before reorder"},
	{Table: "input", Key: "reorder", Type: "boolean", Default: "false", Doc: "sort frames by capture time before metering (as `reordercap`; stable for equal times); runs after dedup_window; holds the capture in memory"},
	{Table: "input", Key: "interface", Type: "string", Doc: "a network interface captured live (Linux AF_PACKET; needs CAP_NET_RAW) instead of path/files; `name` defaults to the interface; never cached (docs/live.md)", NFStream: "source (an interface)"},
	{Table: "input", Key: "duration", Type: "string", Doc: "live only: stop after this long, a Go duration (`\"10m\"`, `\"1h30m\"`); without duration, packets or flows the capture runs until SIGINT/SIGTERM"},
	{Table: "input", Key: "packets", Type: "integer", Doc: "live only: stop after this many captured frames"},
	{Table: "input", Key: "flows", Type: "integer", Doc: "live only: stop after this many flows", NFStream: "max_nflows"},
	{Table: "input", Key: "promiscuous_mode", Type: "boolean", Doc: "live only: capture frames not addressed to this host (default true)", NFStream: "promiscuous_mode"},
	{Table: "input", Key: "snapshot_length", Type: "integer", Doc: "live only: bytes kept of each frame (default: [streamer].snapshot_length)", NFStream: "snapshot_length"},
	{Table: "input", Key: "performance_report", Type: "integer", Doc: "live only: every this many seconds print NFStream's performance report (flows, packets processed and ignored, kernel and interface drops, per-meter balance) as a JSON line on stderr; `build --report-json FILE` also writes it to FILE (default 0: none)", NFStream: "performance_report"},
	{Table: "input", Key: "fanout", Type: "boolean", Doc: "live only: capture with several sockets in one PACKET_FANOUT group, spread by flow hash, one per meter (`n_meters`; with 0 or 1, one per core), each with its own ring (default false)"},
	{Table: "input", Key: "socket_buffer_size", Type: "integer", Doc: "live only: capture ring size in bytes (default 0: the AF_PACKET default ring)", NFStream: "socket_buffer_size"},

	{Table: "streamer", Key: "decode_tunnels", Type: "boolean", Default: "true", Doc: "decode GTP-U, CAPWAP and TZSP tunnels; adds the tunnel_id column", NFStream: "decode_tunnels"},
	{Table: "streamer", Key: "linux_sll2", Type: "boolean", Default: "false", Doc: "decode Linux cooked v2 captures (DLT 276), which NFStream ignores; `flows --linux-sll2`"},
	{Table: "streamer", Key: "ppi", Type: "boolean", Default: "false", Doc: "decode PPI captures (DLT 192) with Ethernet or 802.11 inside, which NFStream ignores; `flows --ppi`"},
	{Table: "streamer", Key: "bpf_filter", Type: "string", Default: `""`, Doc: "BPF filter (tcpdump syntax) applied before metering; empty keeps every frame", NFStream: "bpf_filter"},
	{Table: "streamer", Key: "snapshot_length", Type: "integer", Default: "1536", Doc: "live capture only; offline inputs use the bytes recorded in the file. Recorded for completeness", NFStream: "snapshot_length"},
	{Table: "streamer", Key: "idle_timeout", Type: "integer", Default: "120", Doc: "seconds without a packet after which a flow expires", NFStream: "idle_timeout"},
	{Table: "streamer", Key: "active_timeout", Type: "integer", Default: "1800", Doc: "seconds after which a long flow is cut", NFStream: "active_timeout"},
	{Table: "streamer", Key: "accounting_mode", Type: "integer", Default: "0", Doc: "byte counters: 0 link layer, 1 IP, 2 transport, 3 payload", NFStream: "accounting_mode"},
	{Table: "streamer", Key: "max_nflows", Type: "integer", Default: "0", Doc: "stop each input after this many flows; 0 unlimited", NFStream: "max_nflows"},
	{Table: "streamer", Key: "max_active_flows", Type: "integer", Doc: "bound on active flows per input: a new flow in a full table first expires the oldest created one (expiration_id 2 \"evicted\", or 0 if its idle timeout has passed); deterministic, the same for any n_meters (docs/live.md); default none for capture files, for interfaces the default memory_limit"},
	{Table: "streamer", Key: "memory_limit", Type: "string", Doc: "bound on active flows from a memory size (`\"1GiB\"`; B, KiB, MiB, GiB, TiB) and a fixed per-flow cost of the feature sets (docs/live.md); with max_active_flows the smaller bound wins; default none for capture files, `\"1GiB\"` for interfaces"},
	{Table: "streamer", Key: "n_meters", Type: "integer", Default: "0", Doc: "parallel meters per job (0: automatic); never changes the output", NFStream: "n_meters"},

	{Table: "features", Key: "sets", Type: "array of strings", Default: `["base"]`, Doc: "feature sets (`nfdataset features` lists them); `base` is always included; columns follow NFStream's order whatever order is given", NFStream: "statistical_analysis (`stats`), splt_analysis (`splt`), n_dissections (`dpi`)"},
	{Table: "features", Key: "<set>", Type: "table", Default: "the set's defaults", Doc: "options of one listed set, e.g. `dpi = { n_dissections = 20 }`, `splt = { n = 10 }`", NFStream: "n_dissections (dpi.n_dissections), splt_analysis (splt.n)"},
	{Table: "features", Key: "plugins", Type: "array", Default: "[]", Doc: "plugins, each a name (`\"ja4\"`) or a table with its options (`{ name = \"slicer\", limit = 4 }`); plugin x is the feature set `plugin.x`; columns in the order given", NFStream: "udps"},
	{Table: "features", Key: "derived", Type: "array of tables", Default: "[]", Doc: "derived columns `{ name, expr, type }`: an expression (expr-lang) over the feature columns and payload counters; type `int`, `float`, `string` or `bool`; placed after the feature columns, before `source`"},

	{Table: "output", Key: "path", Type: "string", Doc: "dataset directory, relative to the manifest, or an `s3://bucket/prefix` the finished build is published to (see Object storage); `--output` overrides it; `${VAR}` is expanded (required)"},
	{Table: "output", Key: "format", Type: "string", Default: `"parquet"`, Doc: "`parquet`, `csv` or `jsonl`"},
	{Table: "output", Key: "compression", Type: "string", Default: `"zstd"`, Doc: "Parquet page compression: `zstd`, `snappy`, `gzip` or `none` (Parquet only)"},
	{Table: "output", Key: "rows_per_file", Type: "integer", Default: "1000000", Doc: "rows per part file (part-00000, part-00001, …); 0 writes one file"},
	{Table: "output", Key: "rotate_interval", Type: "string", Doc: "live inputs only: also close a part this long (a Go duration, `\"1h\"`) after its first row; an interval without flows writes no part (docs/live.md)"},
	{Table: "output", Key: "columns", Type: "array of strings", Default: "every column", Doc: "keep only these columns, in this order"},
	{Table: "output", Key: "anonymize", Type: "table", Doc: "anonymise columns reproducibly: `{ columns = [\"src_ip\", \"dst_ip\"], method = \"keyed-hash\"` (NFStream's BLAKE2b form, 64-byte key) or `\"cryptopan\"` (prefix-preserving IP/MAC, 32-byte key), `key_file = \"…\"` (raw bytes, relative to the manifest) or `key_env = \"VAR\"` (hex), `mac = \"hash-oui\"` or `\"keep-oui\" }`; files only (docs/anonymisation.md)"},
	{Table: "output", Key: "drop", Type: "array of strings", Default: "[]", Doc: "drop these columns (instead of columns)"},
}

// docKeys lists the documented keys of a table, for "known keys" hints.
func docKeys(table string) []string {
	var out []string
	for _, k := range manifestKeys {
		if k.Table == table && !strings.HasPrefix(k.Key, "<") {
			out = append(out, k.Key)
		}
	}
	return out
}

// KeyReference renders the reference section of docs/manifest.md.
func KeyReference() string {
	var b strings.Builder
	table := "\x00"
	for _, k := range manifestKeys {
		if k.Table != table {
			table = k.Table
			switch table {
			case "":
				b.WriteString("\n### Top level\n\n")
			case "input", "label":
				fmt.Fprintf(&b, "\n### `[[%s]]`\n\n", table)
			default:
				fmt.Fprintf(&b, "\n### `[%s]`\n\n", table)
			}
			b.WriteString("| key | type | default | meaning |\n| --- | --- | --- | --- |\n")
		}
		def := k.Default
		if def == "" {
			def = "—"
		} else if strings.ContainsAny(def, `"[]0123456789`) || def == "true" || def == "false" {
			def = "`" + def + "`"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", k.Key, k.Type, strings.ReplaceAll(def, "|", `\|`), strings.ReplaceAll(k.Doc, "|", `\|`))
	}
	return b.String()
}

// nfstreamParams maps every NFStreamer parameter to its manifest key.
var nfstreamParams = []struct{ Param, Key, Note string }{
	{"source", "`[[input]] path` / `files` / `interface`", "a file or glob / a list read as one capture / a live interface (with its stop condition: `duration`, `packets` or `flows`)"},
	{"decode_tunnels", "`[streamer] decode_tunnels`", ""},
	{"bpf_filter", "`[streamer] bpf_filter`", "`\"\"` instead of None"},
	{"promiscuous_mode", "`[[input]] promiscuous_mode`", "live inputs only"},
	{"snapshot_length", "`[streamer] snapshot_length` / `[[input]] snapshot_length`", "live inputs only (the input's key wins); recorded"},
	{"idle_timeout", "`[streamer] idle_timeout`", ""},
	{"active_timeout", "`[streamer] active_timeout`", ""},
	{"accounting_mode", "`[streamer] accounting_mode`", ""},
	{"udps", "`[features] plugins`", "plugin x is feature set `plugin.x`"},
	{"n_dissections", "`[features] sets = [\"dpi\"]` + `dpi = { n_dissections = N }`", "0 ⇔ `dpi` not listed"},
	{"statistical_analysis", "`[features] sets = [\"stats\"]`", "True ⇔ `stats` listed"},
	{"splt_analysis", "`[features] sets = [\"splt\"]` + `splt = { n = N }`", "0 ⇔ `splt` not listed"},
	{"n_meters", "`[streamer] n_meters`", "never changes the output"},
	{"max_nflows", "`[streamer] max_nflows`", "per input"},
	{"performance_report", "`[[input]] performance_report`", "live inputs only; file builds show progress instead"},
	{"system_visibility_mode", "—", "not in manifests: `flows --system-visibility-mode 1` on a live interface"},
	{"system_visibility_poll_ms", "—", "not in manifests: `flows --system-visibility-poll-ms`"},
	{"socket_buffer_size", "`[[input]] socket_buffer_size`", "live inputs only"},
}

// NFStreamTable renders the NFStreamer parameter table of docs/manifest.md.
func NFStreamTable() string {
	var b strings.Builder
	b.WriteString("| NFStreamer parameter | manifest key | note |\n| --- | --- | --- |\n")
	for _, p := range nfstreamParams {
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", p.Param, p.Key, p.Note)
	}
	return b.String()
}
