package stages_test

import (
	"fmt"
	"os"

	"github.com/nfdataset/nfdataset/features"
	"github.com/nfdataset/nfdataset/stages"
)

// A sink receives the schema once, then records in schema order. "-" is
// standard output; a file name would be written atomically on Close.
func ExampleNewSink() {
	schema := features.Schema{
		{Name: "id", Kind: features.Int},
		{Name: "src2dst_mean_ps", Kind: features.Float},
		{Name: "user_agent", Kind: features.String, Nullable: true},
		{Name: "splt_direction", Kind: features.IntList},
	}
	for _, format := range []string{"csv", "jsonl"} {
		sink, err := stages.NewSink(format, "-", stages.SinkOptions{})
		if err != nil {
			fmt.Println(err)
			return
		}
		defer sink.Abort() // does nothing after a successful Close
		if err := sink.Begin(schema); err != nil {
			fmt.Println(err)
			return
		}
		records := []features.Record{
			{features.IntValue(0), features.FloatValue(440), features.StringValue("curl/8.5, like \"x\""), features.ListValue([]int64{0, 1, -1})},
			{features.IntValue(1), features.FloatValue(80.49999999999999), features.StringValue(""), features.ListValue([]int64{0})},
		}
		for _, rec := range records {
			if err := sink.Write(rec); err != nil {
				fmt.Println(err)
				return
			}
		}
		if err := sink.Close(); err != nil {
			fmt.Println(err)
		}
	}
	// Output:
	// id,src2dst_mean_ps,user_agent,splt_direction
	// 0,440.0,"curl/8.5, like ""x""","[0, 1, -1]"
	// 1,80.49999999999999,,[0]
	// {"id":0,"src2dst_mean_ps":440.0,"user_agent":"curl/8.5, like \"x\"","splt_direction":[0,1,-1]}
	// {"id":1,"src2dst_mean_ps":80.49999999999999,"user_agent":null,"splt_direction":[0]}
}

// A dataset directory: part files of at most rowsPerFile records, all
// renamed into place by Close.
func ExampleNewPartitionedSink() {
	schema := features.Schema{{Name: "id", Kind: features.Int}}
	dir, err := os.MkdirTemp("", "nfdataset-example-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	sink, err := stages.NewPartitionedSink("parquet", dir, 2, stages.SinkOptions{
		Metadata: map[string]string{"nfdataset.dataset": "quickstart"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer sink.Abort()
	if err := sink.Begin(schema); err != nil {
		fmt.Println(err)
		return
	}
	for i := range 5 {
		if err := sink.Write(features.Record{features.IntValue(int64(i))}); err != nil {
			fmt.Println(err)
			return
		}
	}
	if err := sink.Close(); err != nil {
		fmt.Println(err)
		return
	}
	for _, path := range sink.Files() {
		fmt.Println(path[len(dir)+1:])
	}
	// Output:
	// part-00000.parquet
	// part-00001.parquet
	// part-00002.parquet
}
