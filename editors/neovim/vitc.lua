-- vitc's language server in Neovim's built-in client (Neovim 0.7 or newer). Put this file in
-- your config (e.g. ~/.config/nvim/plugin/vitc.lua). `vim.g.vitc_cmd` may name another command.
vim.api.nvim_create_autocmd({ "BufRead", "BufNewFile" }, { pattern = "*.vit", command = "setfiletype vit" })
vim.api.nvim_create_autocmd("FileType", {
  pattern = "vit",
  callback = function(args)
    vim.bo[args.buf].commentstring = "# %s"
    local client = vim.lsp.start_client({
      name = "vitc",
      cmd = vim.g.vitc_cmd or { "vitc", "lsp", "--stdio" },
      root_dir = vim.fn.getcwd(),
    })
    if client then vim.lsp.buf_attach_client(args.buf, client) end
  end,
})
