;; vitc's language server in Emacs with eglot (built in from Emacs 29): add to your init file.
(define-derived-mode vit-mode prog-mode "vit"
  "Major mode for .vit vision-transformer specs."
  (setq-local comment-start "# ")
  (setq-local comment-start-skip "#+\\s-*"))
(add-to-list 'auto-mode-alist '("\\.vit\\'" . vit-mode))
(with-eval-after-load 'eglot
  (add-to-list 'eglot-server-programs '(vit-mode . ("vitc" "lsp" "--stdio"))))
(add-hook 'vit-mode-hook #'eglot-ensure)
