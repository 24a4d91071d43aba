-- Headless Neovim: open a legacy file, attach apimig-lsp, wait for diagnostics,
-- apply the preferred quick fix, write and quit. Reports to $APIMIG_RESULT.
local result_path = os.getenv("APIMIG_RESULT")

local function report(msg)
  local f = io.open(result_path, "w")
  f:write(msg)
  f:close()
end

local ok, err = pcall(function()
  local apimig = dofile(os.getenv("APIMIG_LUA"))
  vim.cmd("edit " .. vim.fn.fnameescape(os.getenv("APIMIG_FILE")))
  local bufnr = vim.api.nvim_get_current_buf()
  local client_id = apimig.attach(bufnr, {
    cmd = { os.getenv("APIMIG_PYTHON"), "-m", "apimig.server" },
    settings = { targets = { numpy = "2.0" } },
  })
  if not vim.wait(30000, function() return #vim.diagnostic.get(bufnr) > 0 end, 50) then
    error("no diagnostics from apimig-lsp")
  end
  local diag = vim.diagnostic.get(bufnr)[1]
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
  report("ok " .. tostring(diag.user_data and diag.user_data.lsp and diag.user_data.lsp.code or diag.code) .. " " .. chosen.title)
end)
if not ok then
  report("error " .. tostring(err))
end
vim.cmd("qall!")
