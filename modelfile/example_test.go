package modelfile_test

import (
	"fmt"
	"os"

	"cmap/modelfile"
)

// The customer's text format: a title may wrap and may share its line with
// the description; a word hyphenated across lines is rejoined.
func ExampleRead() {
	src := `Cyber Workforce
Comp ID Competency Title Competency Description
1.0 Network Defense and Cyber-
Hygiene Protect, monitor, and harden
networks.
1.A Configure and maintain
firewalls.
`
	f, err := modelfile.Read("cyber-competency-model.txt", []byte(src))
	if err != nil {
		fmt.Println(err)
		return
	}
	c := f.Competencies[0]
	fmt.Printf("%s | %s | %s\n", c.Code, c.Title, c.Description)
	fmt.Printf("%s | %s\n", c.SubCompetencies[0].Code, c.SubCompetencies[0].Statement)
	if err := modelfile.WriteYAML(os.Stdout, f); err != nil {
		fmt.Println(err)
	}
	// Output:
	// 1.0 | Network Defense and Cyber-Hygiene | Protect, monitor, and harden networks.
	// 1.A | Configure and maintain firewalls.
	// name: Cyber Workforce
	// competencies:
	//   - code: "1.0"
	//     title: Network Defense and Cyber-Hygiene
	//     description: Protect, monitor, and harden networks.
	//     subCompetencies:
	//       - code: 1.A
	//         statement: Configure and maintain firewalls.
}

// A malformed model gets every problem at once, each with its line.
func ExampleRead_errors() {
	src := "Cyber Workforce\n1.0 Incident Response\nDetect and contain incidents.\n1.A Triage alerts.\n1.C Write reports.\n3.0 Forensics\nPreserve evidence.\n"
	_, err := modelfile.Read("cyber.txt", []byte(src))
	fmt.Println(err)
	// Output:
	// cyber.txt:5:1: sub-competency 1.C follows 1.A: missing 1.B
	// cyber.txt:6:1: competency 3.0 follows 1.0: missing 2.0
	// cyber.txt:6:1: competency 3.0 has no sub-competencies
}
