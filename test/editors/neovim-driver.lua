-- Drives Neovim's LSP client headless for test/editors/neovim.test.ts: opens the spec named by
-- VITC_NVIM_SPEC (editors/neovim/vitc.lua attaches `vitc lsp --stdio`), waits for diagnostics,
-- asks for a hover and a completion, writes what it got as JSON to VITC_NVIM_OUT and quits.
local out = {}
vim.cmd("edit " .. vim.fn.fnameescape(os.getenv("VITC_NVIM_SPEC")))
out.attached = vim.wait(10000, function() return #vim.lsp.buf_get_clients(0) > 0 end, 20)
vim.wait(20000, function() return #vim.diagnostic.get(0) > 0 end, 20)
out.diagnostics = {}
for _, d in ipairs(vim.diagnostic.get(0)) do
  table.insert(out.diagnostics, { lnum = d.lnum, col = d.col, message = d.message, source = d.source, severity = d.severity })
end
local function at(line, col)
  vim.api.nvim_win_set_cursor(0, { line, col })
  return vim.lsp.util.make_position_params()
end
local hover = vim.lsp.buf_request_sync(0, "textDocument/hover", at(2, 11), 10000) or {}
for _, r in pairs(hover) do if r.result then out.hover = r.result.contents.value end end
local completion = vim.lsp.buf_request_sync(0, "textDocument/completion", at(2, 14), 10000) or {}
out.completion = {}
for _, r in pairs(completion) do
  for _, item in ipairs(r.result and (r.result.items or r.result) or {}) do table.insert(out.completion, item.label) end
end
local file = io.open(os.getenv("VITC_NVIM_OUT"), "w")
file:write(vim.json.encode(out))
file:close()
vim.cmd("qa!")
