package modelfile

import (
	"encoding/json"
	"testing"
)

// The model marshalled by encoding/json reads back as the same model.
func TestReadJSONRoundTrip(t *testing.T) {
	want, err := ReadFile(customerModel)
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.MarshalIndent(want, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got, err := Read("model.json", data)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	assertFramework(t, got, want)
}

func TestReadJSONErrors(t *testing.T) {
	const head = "{\"name\": \"M\",\n \"competencies\": [{\"code\": \"1.0\", \"title\": \"T\""
	tests := []struct {
		name, src, want string
	}{
		{"unknown field", head + ", \"titel\": \"T\"}]}",
			`m.json:2:49: unknown field "titel"`},
		{"wrong type", "{\"name\": 1}",
			"m.json:1:10: name: cannot use a JSON number as a string"},
		{"wrong type in an array", head + "},\n {\"code\": 2.0}]}",
			"m.json:3:11: competencies[1].code: cannot use a JSON number as a string"},
		{"not an object", "[]",
			"m.json:1:1: the model must be a JSON object, not a JSON array"},
		{"syntax", "{\"name\": \"M\",\n bad}",
			"m.json:2:2: invalid character 'b' looking for beginning of object key string"},
		{"truncated", "{\"name\": \"M\"",
			"m.json:1:13: unexpected end of JSON input"},
		{"empty", "",
			"m.json: the file is empty: expected a JSON object"},
		{"trailing data", "{} {}",
			"m.json:1:5: unexpected data after the model's JSON object"},
		{"no sub-competencies", head + "}]}",
			"m.json:2:19: competencies[0].subCompetencies: competency 1.0 has no sub-competencies"},
		{"empty statement", head + ", \"subCompetencies\": [{\"code\": \"1.A\", \"statement\": \"\"}]}]}",
			"m.json:2:98: competencies[0].subCompetencies[0].statement: sub-competency 1.A has no statement"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read("m.json", []byte(tt.src))
			if err == nil {
				t.Fatal("no error")
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}
