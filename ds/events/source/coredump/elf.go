package coredump

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"io"

	"github.com/dsengine/dsengine/ds/events/source/crash"
)

// ELF core notes (linux/elf.h).
const (
	ntPrstatus = 1 // struct elf_prstatus: the signal at 12
	ntPrpsinfo = 3 // struct elf_prpsinfo: the pid at 24, the command at 40 (64-bit)
)

// fromELF fills e's process, pid and signal from the notes of an
// uncompressed 64-bit little-endian ELF core file (the kernel's); it
// leaves e as it is for another file.
func fromELF(path string, e *crash.Event) {
	f, err := elf.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	if f.Type != elf.ET_CORE || f.Class != elf.ELFCLASS64 || f.Data != elf.ELFDATA2LSB {
		return
	}
	for _, p := range f.Progs {
		if p.Type != elf.PT_NOTE || p.Filesz > 1<<20 {
			continue
		}
		notes, err := io.ReadAll(p.Open())
		if err != nil {
			return
		}
		for len(notes) >= 12 {
			namesz, descsz, typ := binary.LittleEndian.Uint32(notes), binary.LittleEndian.Uint32(notes[4:]),
				binary.LittleEndian.Uint32(notes[8:])
			off := 12 + align4(namesz)
			end := off + align4(descsz)
			if uint64(end) > uint64(len(notes)) {
				return
			}
			desc := notes[off : off+descsz]
			switch {
			case typ == ntPrstatus && len(desc) >= 14 && e.Signal == 0:
				e.Signal = int(binary.LittleEndian.Uint16(desc[12:]))
			case typ == ntPrpsinfo && len(desc) >= 56:
				e.PID = int(binary.LittleEndian.Uint32(desc[24:]))
				name := desc[40:56]
				if i := bytes.IndexByte(name, 0); i >= 0 {
					name = name[:i]
				}
				e.Process = string(name)
			}
			notes = notes[end:]
		}
	}
}

func align4(n uint32) uint32 { return (n + 3) &^ 3 }
