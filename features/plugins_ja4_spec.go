package features

import "github.com/nfdataset/nfdataset/meter"

type ja4SpecState struct{}

func (s *ja4SpecState) reset() {}

func (s *ja4SpecState) packet(p *meter.Packet, f *meter.Flow, st *ja4State) {}
