package features

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/vm"
)

// Derived features are columns computed from the other columns of a
// finished flow by an expression (github.com/expr-lang/expr), declared in a
// manifest without writing Go:
//
//	[[features.derived]]
//	name = "bytes_per_packet"
//	expr = "bidirectional_bytes / bidirectional_packets"
//	type = "float"
//
// An expression sees every column of the record by name (plugin columns
// as udps.<name>) and the always-available extras (ExtraColumns). Column
// kinds map to expr types: int → int, float → float64, string → string,
// int_list → []int. A null cell reads as its type's zero value.
// Expressions are type-checked when the manifest loads, so an unknown
// column or a result of the wrong type is a manifest error, not a failure
// halfway through a dataset. Derived columns come after every other column,
// in the order declared; an expression cannot read another derived column.
//
// The result types: int (INT64), float (DOUBLE), string, and bool, stored
// as an int column holding 0 or 1 (like application_is_guessed). An int
// expression must give an integer: "a / b" is a float in expr, so declare
// it float or round it explicitly (int(a / b)).

// DerivedDef is one [[features.derived]] entry of a manifest.
type DerivedDef struct {
	Name string `toml:"name"`
	Expr string `toml:"expr"`
	Type string `toml:"type"` // int, float, string or bool
}

// Derived is a compiled list of derived columns. It is immutable and safe
// for concurrent use.
type Derived struct {
	defs     []DerivedDef
	columns  Schema
	programs []*vm.Program
	// env is the struct type an expression runs against: one field per
	// column (tagged with its name), udps columns in a nested struct.
	env  reflect.Type
	used []derivedInput // the columns some expression reads
}

// derivedInput is one column copied into the environment for each flow.
type derivedInput struct {
	name  string // column name in the record or ExtraColumns
	kind  Kind
	index []int // field path in the environment struct
}

var derivedNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// CompileDerived checks and compiles defs against the columns of schema
// (plus ExtraColumns). Errors name the derived feature and, for an unknown
// column, the closest existing names.
func CompileDerived(defs []DerivedDef, schema Schema) (*Derived, error) {
	inputs := append(append(Schema(nil), schema...), ExtraColumns()...)
	env, paths := derivedEnvType(inputs)
	d := &Derived{defs: append([]DerivedDef(nil), defs...), env: env}
	taken := map[string]bool{}
	for _, c := range inputs {
		taken[c.Name] = true
	}
	used := map[string]bool{}
	for i, def := range defs {
		where := fmt.Sprintf("derived feature %d (%q)", i, def.Name)
		if !derivedNameRE.MatchString(def.Name) {
			return nil, fmt.Errorf("%s: name must be letters, digits and _ (not starting with a digit)", where)
		}
		if taken[def.Name] {
			return nil, fmt.Errorf("%s: a column named %q already exists", where, def.Name)
		}
		taken[def.Name] = true
		kind, expect, err := derivedType(def.Type)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		if strings.TrimSpace(def.Expr) == "" {
			return nil, fmt.Errorf("%s: expr is empty", where)
		}
		probe, err := expr.Compile(def.Expr, expr.Env(reflect.New(env).Elem().Interface()))
		if err != nil {
			return nil, fmt.Errorf("%s: %s", where, explainExprError(err, inputs))
		}
		if err := checkDerivedResult(probe, def.Type); err != nil {
			return nil, fmt.Errorf("%s: expr %q: %w", where, def.Expr, err)
		}
		program, err := expr.Compile(def.Expr, expr.Env(reflect.New(env).Elem().Interface()), expect)
		if err != nil {
			return nil, fmt.Errorf("%s: %s", where, explainExprError(err, inputs))
		}
		d.programs = append(d.programs, program)
		d.columns = append(d.columns, Column{Name: def.Name, Kind: kind, Doc: fmt.Sprintf("derived (%s): %s", def.Type, def.Expr)})
		for _, name := range referencedColumns(program.Node(), paths) {
			used[name] = true
		}
	}
	for _, c := range inputs {
		if used[c.Name] {
			d.used = append(d.used, derivedInput{name: c.Name, kind: c.Kind, index: paths[c.Name]})
		}
	}
	return d, nil
}

// Columns is the schema of the derived columns, in declaration order.
func (d *Derived) Columns() Schema { return d.columns }

// Canonical is the defining text of every derived column, one per line;
// it is part of the feature-logic hash.
func (d *Derived) Canonical() string {
	var sb strings.Builder
	for _, def := range d.defs {
		fmt.Fprintf(&sb, "%s\t%s\t%s\n", def.Name, def.Type, strings.TrimSpace(def.Expr))
	}
	return sb.String()
}

// Hash is the hex SHA-256 of Canonical: it changes whenever a name, a type
// or an expression does.
func (d *Derived) Hash() string {
	sum := sha256.Sum256([]byte(d.Canonical()))
	return hex.EncodeToString(sum[:])
}

// Eval computes the derived values of one finished flow, in Columns order.
func (d *Derived) Eval(v View) (Record, error) {
	out := make(Record, len(d.programs))
	return out, d.EvalInto(v, out)
}

// EvalInto is Eval writing into dst (len(dst) == len(Columns())).
func (d *Derived) EvalInto(v View, dst []Value) error {
	if len(d.programs) == 0 {
		return nil
	}
	env := reflect.New(d.env).Elem()
	for _, in := range d.used {
		val, _, ok := v.Value(in.name)
		if !ok {
			// Only the always-available extras can be missing from the
			// record: they come from the flow, which this view lacks.
			return fmt.Errorf("derived features read %s, which is not in the record and needs the flow (View.Flow)", in.name)
		}
		if val.Null {
			continue // zero value
		}
		f := env.FieldByIndex(in.index)
		switch in.kind {
		case Int:
			f.SetInt(val.Int)
		case Float:
			f.SetFloat(val.Float)
		case String:
			f.SetString(val.Str)
		case IntList:
			list := make([]int, len(val.List))
			for i, x := range val.List {
				list[i] = int(x)
			}
			f.Set(reflect.ValueOf(list))
		}
	}
	envValue := env.Interface()
	for i, p := range d.programs {
		res, err := expr.Run(p, envValue)
		if err != nil {
			return fmt.Errorf("derived feature %q: %w", d.defs[i].Name, err)
		}
		cell, err := derivedCell(res, d.columns[i].Kind)
		if err != nil {
			return fmt.Errorf("derived feature %q: %w", d.defs[i].Name, err)
		}
		dst[i] = cell
	}
	return nil
}

// derivedCell turns an expression's result into a cell of the declared
// kind. expr checks the type at compile time only where it can infer it;
// an operator such as ?: yields an interface, so a result of another type
// (an int where a string was declared) is refused here, at run time,
// rather than written into the wrong column kind. An int result in a float
// column is widened, as expr does for typed expressions.
func derivedCell(res any, kind Kind) (Value, error) {
	var v Value
	got := ""
	switch r := res.(type) {
	case int:
		v, got = IntValue(int64(r)), "int"
	case int64:
		v, got = IntValue(r), "int"
	case float64:
		v, got = FloatValue(r), "float"
	case string:
		v, got = StringValue(r), "string"
	case bool:
		v, got = IntValue(0), "bool"
		if r {
			v = IntValue(1)
		}
	case nil:
		return NullValue(), nil
	default:
		return Value{}, fmt.Errorf("unexpected result type %T", res)
	}
	switch {
	case kind == Int && (got == "int" || got == "bool"), kind == Float && got == "float", kind == String && got == "string":
		return v, nil
	case kind == Float && got == "int":
		return FloatValue(float64(v.Int)), nil
	}
	return Value{}, fmt.Errorf("the expression gave a %s (%v), not the declared %s", got, res, kind)
}

// derivedType maps a declared type to the column kind and expr's check.
func derivedType(t string) (Kind, expr.Option, error) {
	switch t {
	case "int":
		return Int, expr.AsInt64(), nil
	case "float":
		return Float, expr.AsFloat64(), nil
	case "string":
		return String, expr.AsKind(reflect.String), nil
	case "bool":
		return Int, expr.AsBool(), nil
	case "":
		return 0, nil, errors.New(`type is missing (int, float, string or bool)`)
	}
	return 0, nil, fmt.Errorf("type %q: want int, float, string or bool", t)
}

// checkDerivedResult rejects a result type that would be silently
// converted: a float into an int column above all.
func checkDerivedResult(p *vm.Program, declared string) error {
	t := p.Node().Type()
	if t == nil || t.Kind() == reflect.Interface {
		return nil // only known when it runs; expr converts or fails then
	}
	k := t.Kind()
	isInt := k >= reflect.Int && k <= reflect.Uint64
	isFloat := k == reflect.Float32 || k == reflect.Float64
	switch {
	case declared == "int" && isFloat:
		return errors.New(`gives a float: declare type = "float", or make it an integer with int(…), round(…) or floor(…)`)
	case declared == "int" && !isInt, declared == "float" && !isInt && !isFloat:
		return fmt.Errorf("gives a %s, not a number", t)
	case declared == "string" && k != reflect.String:
		return fmt.Errorf("gives a %s, not a string", t)
	case declared == "bool" && k != reflect.Bool:
		return fmt.Errorf("gives a %s, not a bool", t)
	}
	return nil
}

// derivedEnvType builds the environment struct: a field per column with its
// name as expr tag, and the udps.* columns in a nested struct "udps".
// paths maps each column name to its field index path.
func derivedEnvType(cols Schema) (reflect.Type, map[string][]int) {
	paths := map[string][]int{}
	var top, udps []reflect.StructField
	var udpsNames []string
	for _, c := range cols {
		goType := derivedGoType(c.Kind)
		if rest, ok := strings.CutPrefix(c.Name, UDPSPrefix); ok {
			udps = append(udps, reflect.StructField{Name: "U" + strconv.Itoa(len(udps)), Type: goType, Tag: reflect.StructTag(`expr:"` + rest + `"`)})
			udpsNames = append(udpsNames, c.Name)
			continue
		}
		if !derivedNameRE.MatchString(c.Name) {
			continue // not reachable by an expression
		}
		paths[c.Name] = []int{len(top)}
		top = append(top, reflect.StructField{Name: "C" + strconv.Itoa(len(top)), Type: goType, Tag: reflect.StructTag(`expr:"` + c.Name + `"`)})
	}
	if len(udps) > 0 {
		at := len(top)
		top = append(top, reflect.StructField{Name: "UDPS", Type: reflect.StructOf(udps), Tag: `expr:"udps"`})
		for i, name := range udpsNames {
			paths[name] = []int{at, i}
		}
	}
	return reflect.StructOf(top), paths
}

func derivedGoType(k Kind) reflect.Type {
	switch k {
	case Int:
		return reflect.TypeOf(int(0))
	case Float:
		return reflect.TypeOf(float64(0))
	case IntList:
		return reflect.TypeOf([]int(nil))
	}
	return reflect.TypeOf("")
}

// referencedColumns lists the columns an expression reads (all udps
// columns when it uses udps as a whole).
func referencedColumns(root ast.Node, paths map[string][]int) []string {
	v := &columnVisitor{paths: paths, seen: map[string]bool{}}
	ast.Walk(&root, v)
	out := make([]string, 0, len(v.seen))
	for name := range v.seen {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

type columnVisitor struct {
	paths map[string][]int
	seen  map[string]bool
}

func (v *columnVisitor) Visit(node *ast.Node) {
	id, ok := (*node).(*ast.IdentifierNode)
	if !ok {
		return
	}
	if _, known := v.paths[id.Value]; known {
		v.seen[id.Value] = true
	}
	if id.Value == "udps" {
		for name := range v.paths {
			if strings.HasPrefix(name, UDPSPrefix) {
				v.seen[name] = true
			}
		}
	}
}

var unknownNameRE = regexp.MustCompile(`unknown name ([A-Za-z_][A-Za-z0-9_]*)`)

// explainExprError turns expr's error into a message naming the unknown
// column and the closest known ones.
func explainExprError(err error, cols Schema) string {
	msg := err.Error()
	m := unknownNameRE.FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	var names []string
	for _, c := range cols {
		names = append(names, c.Name)
	}
	hint := ""
	if near := closestNames(m[1], names, 3); len(near) > 0 {
		hint = " (did you mean " + strings.Join(near, ", ") + "?)"
	}
	return fmt.Sprintf("unknown column %q%s; `nfdataset features` lists the columns\n%s", m[1], hint, msg)
}

// closestNames returns up to n names within a small edit distance of s.
func closestNames(s string, names []string, n int) []string {
	type scored struct {
		name string
		dist int
	}
	var best []scored
	limit := max(2, len(s)/3)
	for _, name := range names {
		if d := EditDistance(s, name); d <= limit {
			best = append(best, scored{name, d})
		}
	}
	sort.SliceStable(best, func(i, j int) bool { return best[i].dist < best[j].dist })
	var out []string
	for i := 0; i < len(best) && i < n; i++ {
		out = append(out, best[i].name)
	}
	return out
}

// EditDistance is the Levenshtein distance between a and b, for "did you
// mean" suggestions in error messages.
func EditDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
