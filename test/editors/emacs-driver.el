;;; emacs-driver.el --- drives eglot in batch mode for test/editors/emacs.test.ts  -*- lexical-binding: t -*-
;; Opens the spec named by VITC_EMACS_SPEC with editors/emacs/vitc.el loaded (vit-mode starts
;; eglot on `vitc lsp --stdio`), waits for flymake's diagnostics, asks for a hover and a
;; completion, writes what it got as JSON to VITC_EMACS_OUT and exits.
(require 'eglot)
(require 'json)
(setq eglot-sync-connect 10)

(defun vitc-test-wait (done seconds)
  "Process the server's messages (and timers) until DONE returns non-nil or SECONDS pass."
  (let ((deadline (+ (float-time) seconds)))
    (while (and (not (funcall done)) (< (float-time) deadline))
      (accept-process-output nil 0.05))))

(defun vitc-test-at (line column)
  (goto-char (point-min))
  (forward-line (1- line))
  (forward-char column))

(find-file (getenv "VITC_EMACS_SPEC"))
;; eglot-ensure connects from post-command-hook, after the command that visited the file; batch
;; mode runs no command loop, so run the hook as the command loop would.
(run-hooks 'post-command-hook)
(vitc-test-wait (lambda () (eglot-current-server)) 10)
(let ((server (eglot-current-server)) (out nil))
  (push (cons 'attached (if server t :json-false)) out)
  (when server
    (flymake-start)
    (vitc-test-wait (lambda () (flymake-diagnostics)) 20)
    (push (cons 'diagnostics
                (vconcat (mapcar (lambda (d)
                                   (let ((beg (flymake-diagnostic-beg d)))
                                     `((line . ,(line-number-at-pos beg))
                                       (column . ,(save-excursion (goto-char beg) (current-column)))
                                       (type . ,(symbol-name (flymake-diagnostic-type d)))
                                       (text . ,(flymake-diagnostic-text d)))))
                                 (flymake-diagnostics))))
          out)
    (vitc-test-at 2 11)
    (let ((hover (jsonrpc-request server :textDocument/hover (eglot--TextDocumentPositionParams))))
      (push (cons 'hover (plist-get (plist-get hover :contents) :value)) out))
    (vitc-test-at 2 14)
    (let ((capf (eglot-completion-at-point)))
      (push (cons 'completion (vconcat (all-completions "" (nth 2 capf)))) out)))
  (with-temp-file (getenv "VITC_EMACS_OUT") (insert (json-encode out))))
(kill-emacs 0)
