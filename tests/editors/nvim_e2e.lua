-- Headless Neovim: open a legacy file, attach apimig-lsp, wait for diagnostics,
-- apply the preferred quick fix, write and quit. Reports to $APIMIG_RESULT.
local H = dofile(os.getenv("APIMIG_HARNESS"))

H.run(function()
  local bufnr, client_id = H.open()
  local diag = H.wait_for_diagnostics(bufnr, "on open")
  local client = vim.lsp.get_client_by_id(client_id)
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = { start = { line = diag.lnum, character = 0 }, ["end"] = { line = diag.lnum, character = 0 } },
    context = { diagnostics = vim.lsp.diagnostic.get_line_diagnostics(bufnr, diag.lnum), only = { "quickfix" } },
  }
  local responses = vim.lsp.buf_request_sync(bufnr, "textDocument/codeAction", params, 20000) or {}
  local chosen
  for _, res in pairs(responses) do
    for _, action in ipairs(res.result or {}) do
      if action.isPreferred and action.edit then
        chosen = action
      end
    end
  end
  if not chosen then
    error("no preferred quick fix: " .. vim.inspect(responses))
  end
  vim.lsp.util.apply_workspace_edit(chosen.edit, client.offset_encoding)
  vim.cmd("write")
  return H.code(diag) .. " " .. chosen.title
end)
