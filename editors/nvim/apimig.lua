-- apimig for Neovim's built-in LSP client (Neovim >= 0.7).
--
--   require("apimig").setup({ cmd = { "apimig-lsp" }, settings = { targets = { numpy = "2.0" } } })
--
-- Starts one apimig-lsp per root (the folder holding pyproject.toml/.git, else the file's folder)
-- and attaches it to every Python buffer. `settings` is sent as initializationOptions and answers
-- workspace/configuration for the "apimig" section (keys: targets, select, ignore, unsafeFixes, severity).
local M = {}

local defaults = {
  cmd = { "apimig-lsp" },
  settings = {},
  root_markers = { "pyproject.toml", "setup.cfg", "setup.py", ".git" },
  filetypes = { "python" },
}

M.clients = {} -- root dir -> client id

local function find_root(path, markers)
  local dir = vim.fn.fnamemodify(path, ":p:h")
  while dir and dir ~= "" do
    for _, marker in ipairs(markers) do
      if vim.loop.fs_stat(dir .. "/" .. marker) then
        return dir
      end
    end
    local parent = vim.fn.fnamemodify(dir, ":h")
    if parent == dir then
      break
    end
    dir = parent
  end
  return vim.fn.fnamemodify(path, ":p:h")
end

--- Start (or reuse) the client for `bufnr`'s root and attach it; returns the client id.
function M.attach(bufnr, opts)
  opts = vim.tbl_deep_extend("force", defaults, M.opts or {}, opts or {})
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local root = find_root(vim.api.nvim_buf_get_name(bufnr), opts.root_markers)
  local id = M.clients[root]
  if id == nil or vim.lsp.get_client_by_id(id) == nil then
    id = vim.lsp.start_client({
      name = "apimig",
      cmd = opts.cmd,
      root_dir = root,
      init_options = opts.settings,
      settings = { apimig = opts.settings },
      handlers = {
        ["workspace/configuration"] = function(_, params)
          local out = {}
          for i, item in ipairs(params.items or {}) do
            out[i] = item.section == "apimig" and opts.settings or vim.NIL
          end
          return out
        end,
      },
      on_attach = opts.on_attach,
    })
    M.clients[root] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
  return id
end

--- Apply apimig's "fix all" (safe fixes) to the current buffer.
function M.fix_all(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local params = vim.lsp.util.make_range_params()
  params.context = { diagnostics = {}, only = { "source.fixAll.apimig" } }
  local results = vim.lsp.buf_request_sync(bufnr, "textDocument/codeAction", params, 5000) or {}
  for client_id, res in pairs(results) do
    local client = vim.lsp.get_client_by_id(client_id)
    for _, action in ipairs(res.result or {}) do
      if action.edit and client then
        vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding)
      end
    end
  end
end

function M.setup(opts)
  M.opts = vim.tbl_deep_extend("force", defaults, opts or {})
  local group = vim.api.nvim_create_augroup("apimig", { clear = true })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = M.opts.filetypes,
    callback = function(args)
      M.attach(args.buf)
    end,
  })
  vim.api.nvim_create_user_command("ApimigFixAll", function()
    M.fix_all()
  end, {})
end

return M
