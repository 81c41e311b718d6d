package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/nfdataset/nfdataset/features"
	"github.com/nfdataset/nfdataset/meter"
	"github.com/nfdataset/nfdataset/stages"
)

// --- Plugin 1: NFStream's MyCustomPktSizeFeature ------------------------

// pktSizeCounter counts the packets of a flow whose raw size is customSize.
// Its per-flow state is the counter itself (an int64).
type pktSizeCounter struct {
	features.PluginHooks[int64] // no-op hooks to embed; this plugin overrides all three
	customSize                  uint16
}

func (pktSizeCounter) Columns() []features.Column {
	return []features.Column{{Name: "packet_with_custom_size", Kind: features.Int,
		Doc: "packets whose raw size equals the custom_size option"}}
}

// OnInit sees the flow's first packet; the counter starts at zero.
func (c pktSizeCounter) OnInit(p *meter.Packet, _ *meter.Flow, n *int64) {
	if p.RawSize == c.customSize {
		*n = 1
	}
}

// OnUpdate sees every later packet.
func (c pktSizeCounter) OnUpdate(p *meter.Packet, _ *meter.Flow, n *int64) {
	if p.RawSize == c.customSize {
		*n++
	}
}

// OnExpire writes the column.
func (pktSizeCounter) OnExpire(_ *meter.Flow, n *int64, out []features.Value) {
	out[0] = features.IntValue(*n)
}

// --- Plugin 2: NFStream's ModelPrediction --------------------------------

// Model is whatever you trained elsewhere; here a logistic regression
// on bidirectional_packets and bidirectional_bytes.
type Model struct {
	Weights [2]float64
	Bias    float64
}

// Predict returns 1 when the flow looks like the positive class.
func (m Model) Predict(x [2]float64) int64 {
	z := m.Bias + m.Weights[0]*x[0] + m.Weights[1]*x[1]
	if 1/(1+math.Exp(-z)) >= 0.5 {
		return 1
	}
	return 0
}

// modelPrediction predicts once, when the flow expires. It needs no
// per-flow state (struct{}).
type modelPrediction struct {
	features.PluginHooks[struct{}]
	model Model
}

func (modelPrediction) Columns() []features.Column {
	return []features.Column{{Name: "model_prediction", Kind: features.Int,
		Doc: "the model's class for the flow (0 or 1)"}}
}

func (m modelPrediction) OnExpire(f *meter.Flow, _ *struct{}, out []features.Value) {
	out[0] = features.IntValue(m.model.Predict([2]float64{float64(f.Packets), float64(f.Bytes)}))
}

// --- Registration: one call per plugin, in init ----------------------------

func init() {
	features.RegisterPlugin(features.PluginSpec[int64]{
		Name:    "pkt_size_counter",
		Version: 1,
		Doc:     "NFStream README example: packets of a given raw size.",
		Options: []features.Option{{Name: "custom_size", Default: int64(555), Doc: "raw packet size to count"}},
		New: func(opts features.Options, _ features.Env) (features.Plugin[int64], error) {
			size, err := opts.Int("custom_size")
			if err != nil {
				return nil, err
			}
			if size < 0 || size > math.MaxUint16 {
				return nil, fmt.Errorf("custom_size %d is not a packet size", size)
			}
			return pktSizeCounter{customSize: uint16(size)}, nil
		},
	})
	features.RegisterPlugin(features.PluginSpec[struct{}]{
		Name:    "model_prediction",
		Version: 1,
		Doc:     "NFStream README example: a model's prediction at flow expiry.",
		New: func(features.Options, features.Env) (features.Plugin[struct{}], error) {
			// Load or embed your trained model here.
			return modelPrediction{model: Model{Weights: [2]float64{0.05, 0.0002}, Bias: -2}}, nil
		},
	})
}

// --- The flows path: capture → meter → features → CSV -----------------------

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "customplugin:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("customplugin", flag.ContinueOnError)
	fs.SetOutput(stderr)
	customSize := fs.Int64("custom-size", 555, "raw packet size counted by pkt_size_counter")
	output := fs.String("o", "-", "CSV file to write (- for standard output)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("usage: customplugin [-custom-size N] [-o OUT.csv] CAPTURE…")
	}

	streamer := stages.DefaultStreamer() // NFStreamer's defaults
	sets := []features.Request{
		{Name: "base"},
		{Name: "plugin.pkt_size_counter", Options: features.Options{"custom_size": *customSize}},
		{Name: "plugin.model_prediction"},
	}
	ext, err := features.NewExtractor(sets, streamer.Env())
	if err != nil {
		return err
	}
	src, err := stages.OpenFiles(fs.Args())
	if err != nil {
		return err
	}
	defer src.Close()
	sink, err := stages.NewSink("csv", *output, stages.SinkOptions{})
	if err != nil {
		return err
	}
	if err := sink.Begin(ext.Schema()); err != nil {
		sink.Abort()
		return err
	}
	job := &stages.Job{Source: src, Streamer: streamer, Extractor: ext, Sink: sink,
		OnWarning: func(err error) { fmt.Fprintln(stderr, "warning:", err) }}
	if _, err := job.Run(ctx); err != nil {
		sink.Abort()
		return err
	}
	return sink.Close()
}
