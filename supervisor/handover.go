package supervisor

import (
	"encoding/json"
	"log/slog"
	"os"

	"eventmpm/ipc"
)

// handover is the set of descriptors one child inherits. ExtraFiles[i]
// becomes descriptor 3+i in the child: the manifest pipe (3), the
// scoreboard (4), the control pipe (5), the status pipe (6), the log files,
// then the listeners.
type handover struct {
	extra    []*os.File
	manR     *os.File // child ends, closed in the parent after Start
	ctlR     *os.File
	statusW  *os.File
	manW     *os.File // parent ends
	statusR  *os.File
	ctl      *ipc.Controller
	manifest ipc.Manifest
}

const firstExtraFd = 3

func (s *Supervisor) newHandover(slot int) (*handover, error) {
	h := &handover{}
	var err error
	if h.manR, h.manW, err = os.Pipe(); err != nil {
		return nil, err
	}
	if h.ctl, h.ctlR, err = ipc.NewControlPipe(); err != nil {
		h.manR.Close()
		h.manW.Close()
		return nil, err
	}
	if h.statusR, h.statusW, err = ipc.NewStatusPipe(); err != nil {
		h.manR.Close()
		h.manW.Close()
		h.ctl.Close()
		h.ctlR.Close()
		return nil, err
	}
	h.extra = []*os.File{h.manR, s.sb.File(), h.ctlR, h.statusW}
	cfgJSON, err := s.cfg.Marshal()
	if err != nil {
		h.closeChildEnds()
		return nil, err
	}
	h.manifest = ipc.Manifest{
		Slot: slot, Generation: uint32(s.gen), ScoreboardFd: firstExtraFd + 1,
		ControlFd: firstExtraFd + 2, StatusFd: firstExtraFd + 3, Config: json.RawMessage(cfgJSON),
		TicketKey: s.ticketKey,
	}
	for _, lf := range s.logFiles {
		h.manifest.Logs = append(h.manifest.Logs, ipc.LogFile{Target: lf.target, Fd: firstExtraFd + len(h.extra)})
		h.extra = append(h.extra, s.logDescriptor(lf))
	}
	first := firstExtraFd + len(h.extra)
	for _, l := range s.listeners {
		h.extra = append(h.extra, l.File)
	}
	h.manifest.Listeners = IPCListeners(s.listeners, first)
	return h, nil
}

// closeChildEnds closes, in the parent, the descriptors only the child
// needs (the child has its own copies once started).
func (h *handover) closeChildEnds() {
	h.manR.Close()
	h.ctlR.Close()
	h.statusW.Close()
}

// writeManifest writes the manifest (in its own goroutine: a large
// configuration may not fit in the pipe before the child reads it).
func (h *handover) writeManifest(log *slog.Logger) {
	if err := ipc.WriteManifest(h.manW, &h.manifest); err != nil {
		log.Error("cannot hand the manifest to a child", "module", "mpm_event", "err", err)
	}
	h.manW.Close()
}
