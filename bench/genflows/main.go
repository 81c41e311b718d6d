package main

import (
	"bufio"
	"encoding/binary"
	"flag"
	"fmt"
	"os"
)

func main() {
	n := flag.Int("n", 1_000_000, "concurrent flows")
	out := flag.String("o", "flows.pcap", "output capture")
	flag.Parse()
	if err := write(*out, *n); err != nil {
		fmt.Fprintln(os.Stderr, "genflows:", err)
		os.Exit(1)
	}
}

func write(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	hdr := make([]byte, 24)
	binary.LittleEndian.PutUint32(hdr[0:], 0xa1b2c3d4)
	binary.LittleEndian.PutUint16(hdr[4:], 2)
	binary.LittleEndian.PutUint16(hdr[6:], 4)
	binary.LittleEndian.PutUint32(hdr[16:], 65535)
	binary.LittleEndian.PutUint32(hdr[20:], 1) // Ethernet
	w.Write(hdr)
	frame := make([]byte, 14+20+8+16)
	binary.BigEndian.PutUint16(frame[12:], 0x0800)
	ip := frame[14:]
	ip[0], ip[8], ip[9] = 0x45, 64, 17
	binary.BigEndian.PutUint16(ip[2:], 20+8+16)
	udp := ip[20:]
	binary.BigEndian.PutUint16(udp[4:], 8+16)
	rec := make([]byte, 16)
	// All packets within 60 s, far below the idle timeout.
	for pass := 0; pass < 2; pass++ {
		for i := 0; i < n; i++ {
			usec := int64(pass)*30_000_000 + int64(i)*30_000_000/int64(n)
			binary.LittleEndian.PutUint32(rec[0:], uint32(1_700_000_000+usec/1_000_000))
			binary.LittleEndian.PutUint32(rec[4:], uint32(usec%1_000_000))
			binary.LittleEndian.PutUint32(rec[8:], uint32(len(frame)))
			binary.LittleEndian.PutUint32(rec[12:], uint32(len(frame)))
			client := [4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}
			server := [4]byte{192, 0, 2, 1}
			sport, dport := uint16(1024+i%60000), uint16(53)
			if pass == 1 {
				client, server, sport, dport = server, client, dport, sport
			}
			copy(ip[12:16], client[:])
			copy(ip[16:20], server[:])
			binary.BigEndian.PutUint16(udp[0:], sport)
			binary.BigEndian.PutUint16(udp[2:], dport)
			w.Write(rec)
			w.Write(frame)
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}
